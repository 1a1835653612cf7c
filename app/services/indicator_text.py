"""The indicators' names and what each counts, in words a council member understands (gettext:
Swedish and English). Each definition says exactly what `indicator_sql` counts; change them
together."""

from __future__ import annotations

from app.i18n import gettext as _


def label(key: str) -> str:
    """The name of indicator `key` in the current language ("" for an unknown key)."""
    texts = {
        "reports": _("Reports of problems"),
        "reports_on_walks": _("Reports made on safety walks"),
        "reports_own": _("Reports made on one's own"),
        "good_places": _("Good places"),
        "damage_reports": _("Damage to municipal property"),
        "damage_share": _("Share of reports that are damage"),
        "share_fixed": _("Share fixed"),
        "median_days_to_fix": _("Median days to fix"),
        "p90_days_to_fix": _("Days to fix, 90th percentile"),
        "share_fixed_by_due": _("Share fixed by the due date"),
        "share_fixed_within": _("Share fixed within a number of days"),
        "open_at_end": _("Open at the end of the period"),
        "overdue_at_end": _("Overdue at the end of the period"),
        "recurring_spots": _("Recurring spots"),
        "felt_unsafety": _("Felt unsafety"),
        "felt_unsafety_change": _("Change in felt unsafety"),
        "share_dark": _("Share reported in the dark"),
        "walks_held": _("Safety walks held"),
        "walk_participants": _("Walk participants"),
        "follow_up_walks": _("Follow-up walks"),
        "follow_up_share_fixed": _("Earlier walks' problems fixed"),
        "police_reported_crimes": _("Police-reported crimes"),
        "scb_safety_index": _("Safety index (SCB citizen survey)"),
        "school_drug_survey": _("School drug survey"),
    }
    return texts.get(key, "")


def definition(key: str) -> str:
    """The definition of indicator `key` in the current language ("" for an unknown key)."""
    texts = {
        "reports": _(
            "Problem reports made during the period (midnight to midnight, Swedish time), by "
            "residents on their own or on a safety walk, private categories such as drug dealing "
            "included. A report merged into another as a duplicate is not counted; good places "
            "are counted apart."
        ),
        "reports_on_walks": _("Of the reports, those made during a safety walk."),
        "reports_own": _("Of the reports, those made on one's own, not during a safety walk."),
        "good_places": _(
            "Good places reported during the period (a duplicate not counted): places that feel "
            "safe and are worth keeping. They are not problems and are in none of the other "
            "figures."
        ),
        "damage_reports": _(
            "Reports of damage to municipal property made during the period: the reports in the "
            "categories an administrator has marked as damage (such as vandalism and graffiti), "
            "duplicates not counted."
        ),
        "damage_share": _("The damage reports as a share of all the period's reports."),
        "share_fixed": _(
            "Of the period's reports that we could fix (not duplicates, not handed to another "
            "owner), the share that is fixed or verified today. A report that was fixed and then "
            "reopened is not fixed."
        ),
        "median_days_to_fix": _(
            "For the problems fixed during the period, whenever they were reported, and still "
            "fixed today: the median number of whole days from the report to the fix (half were "
            "fixed faster, half slower). A problem reported in December and fixed in January "
            "counts in January's period."
        ),
        "p90_days_to_fix": _(
            "For the same problems as the median: the number of whole days within which nine in "
            "ten of them were fixed."
        ),
        "share_fixed_by_due": _(
            "Of the period's reports that we could fix, the share fixed no later than its due "
            "date (the number of days its priority allows, counted from the report) and still "
            "fixed or verified today. A report still open and not yet due is left out: it "
            "cannot be judged yet."
        ),
        "share_fixed_within": _(
            "Of the period's reports that we could fix, the share fixed within a number of days "
            "from the report and still fixed or verified today: the target's number of days, or "
            "without a target the days a report of normal priority is given. A report still "
            "open and made fewer days ago is left out: it cannot be judged yet."
        ),
        "open_at_end": _(
            "Problems still waiting for work when the period ended (received, being looked at, "
            "scheduled, in progress or reopened at that moment), whenever they were reported, as "
            "each report's history shows it. For a period not yet over: open now."
        ),
        "overdue_at_end": _(
            "Of the problems open when the period ended, those already past their due date then "
            "(the number of days their priority allows, counted from the report). For a period "
            "not yet over: overdue now."
        ),
        "recurring_spots": _(
            "Places reported again and again, as on the planners' map: groups of the period's "
            "problem reports (duplicates too) within 25 metres of each other, made in at least "
            "two different months. Private categories are never placed on a map and are not "
            "counted here. Where there are more than 3,000 reports, squares of 25 metres are "
            "counted instead of groups."
        ),
        "felt_unsafety": _(
            "The average of how unsafe the reporters felt, from 1 (a little unsafe) to 5 (very "
            "unsafe), over the period's reports that answered the question."
        ),
        "felt_unsafety_change": _(
            "The average felt unsafety minus that of the same period a year earlier, in points: "
            "below zero, people felt safer. Empty when either period has no answers."
        ),
        "share_dark": _(
            "Of the period's reports, the share made in the dark (the reporter said it was dark)."
        ),
        "walks_held": _(
            "Safety walks that started during the period and took place (under way or closed; a "
            "walk only planned is not counted). For a zone: the walks planned for the zone or a "
            "part of it. Walks are not counted per category."
        ),
        "walk_participants": _(
            "Phones that joined the walks held during the period, each once per walk (no names "
            "are kept)."
        ),
        "follow_up_walks": _("Of the walks held, those that followed up an earlier walk."),
        "follow_up_share_fixed": _(
            "Of the earlier walks' problems that the period's follow-up walks went back to, the "
            "share fixed: as the check on site found, or, where the check could not tell or was "
            "not made, as the responsible unit has marked it."
        ),
        "police_reported_crimes": _(
            "Crimes reported to the police in the year, as entered with their source."
        ),
        "scb_safety_index": _("The SCB citizen survey's safety index for the year, as entered."),
        "school_drug_survey": _(
            "The school survey's share of pupils who have used drugs, as entered."
        ),
    }
    return texts.get(key, "")
