"""Words for enum values, in the visitor's language (the enums themselves stay English)."""

from __future__ import annotations

from app.i18n import gettext as _
from app.models import PositionSource, Status


def status_label(status: Status | str) -> str:
    labels = {
        Status.new: _("Received"),
        Status.triaged: _("Being looked at"),
        Status.scheduled: _("Scheduled"),
        Status.in_progress: _("In progress"),
        Status.fixed: _("Fixed"),
        Status.verified: _("Fixed and checked"),
        Status.reopened: _("Reopened"),
        Status.duplicate: _("Merged with another report"),
        Status.not_ours: _("Handed to another owner"),
        Status.wont_fix: _("Will not be fixed"),
    }
    return labels.get(Status(status), str(status))


def position_source_label(source: PositionSource | str) -> str:
    labels = {
        PositionSource.gps: _("from the phone's location"),
        PositionSource.map: _("placed on the map"),
        PositionSource.photo: _("taken from the photo"),
    }
    return labels.get(PositionSource(source), str(source))


def unsafe_labels() -> list[tuple[int, str]]:
    return [
        (1, _("Not at all")),
        (2, _("A little")),
        (3, _("Somewhat")),
        (4, _("Quite")),
        (5, _("Very")),
    ]
