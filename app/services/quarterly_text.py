"""The quarterly "what we did" as a few plain paragraphs for the municipality's web page and
newsletter, in the current language: built from the same public shape as the page
(`quarterly.Quarterly`), so it can hold nothing the page does not."""

from __future__ import annotations

from collections.abc import Sequence

from babel.dates import format_date, format_datetime

from app.i18n import current_language, ngettext
from app.i18n import gettext as _
from app.services.quarterly import STOCKHOLM, Count, PublicWalk, Quarterly


def text(report: Quarterly, *, page_url: str) -> str:
    """A few plain paragraphs for the municipality's web and newsletter, in the current
    language."""
    lang = current_language()
    lines = [
        _("What we did for a safer Boden: %(period)s", period=report.label),
        "",
        ngettext(
            "Residents reported %(num)s problem.",
            "Residents reported %(num)s problems.",
            report.reported,
        ),
    ]
    if report.reported_by_category:
        lines.append(_("By kind: %(counts)s.", counts=_counts(report.reported_by_category)))
    if report.reported_by_district:
        lines.append(_("By district: %(counts)s.", counts=_counts(report.reported_by_district)))
    if report.reported_on_walks:
        lines.append(
            ngettext(
                "%(num)s of them was made on a safety walk.",
                "%(num)s of them were made on safety walks.",
                report.reported_on_walks,
            )
        )
    if report.good_places:
        lines.append(
            ngettext(
                "They also pointed out %(num)s good place worth keeping.",
                "They also pointed out %(num)s good places worth keeping.",
                report.good_places,
            )
        )
    lines += ["", ngettext("%(num)s was fixed.", "%(num)s were fixed.", report.fixed)]
    if report.fixed_by_category:
        lines.append(_("By kind: %(counts)s.", counts=_counts(report.fixed_by_category)))
    lines.append("")
    if report.walks_held:
        lines.append(_("Safety walks held:"))
        lines += [f"- {_walk_line(w, lang)}" for w in report.walks_held]
    else:
        lines.append(_("No safety walks were held this quarter."))
    if report.walks_coming:
        lines += ["", _("Coming safety walks (everyone is welcome):")]
        lines += [f"- {_walk_line(w, lang, with_time=True)}" for w in report.walks_coming]
    lines += ["", _("More, with before and after photos: %(url)s", url=page_url)]
    return "\n".join(lines) + "\n"


def _counts(counts: Sequence[Count]) -> str:
    return "; ".join(f"{c.label} {c.count}" for c in counts)


def _walk_line(walk: PublicWalk, lang: str, *, with_time: bool = False) -> str:
    locale = {"en": "en_GB"}.get(lang, lang)
    if with_time:
        when = format_datetime(walk.starts_at, "d MMMM y, HH:mm", tzinfo=STOCKHOLM, locale=locale)
    else:
        when = format_date(walk.starts_at.astimezone(STOCKHOLM), "d MMMM y", locale=locale)
    parts = [walk.title, when]
    if walk.district:
        parts.append(walk.district)
    if walk.participants:
        parts.append(ngettext("%(num)s taking part", "%(num)s taking part", walk.participants))
    return ", ".join(parts)
