"""The phone's "My reports": the current status of the reports behind the tracking links a
phone has kept. Each answer holds what the tracking link's own page shows (the number, the
status and the date of the last public history line), nothing more; an unknown or malformed
token gets no answer at all, so the list cannot be used to tell one from the other."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, func, select

from app.models import Observation, ObservationEvent, Status
from app.services import submission

# A phone keeps at most this many links (my-reports.js), and asks for them all at once.
MAX_TOKENS = 50


class TooManyTokens(ValueError):
    """More tokens than a phone keeps: refused (422), not cut short."""


@dataclass(frozen=True)
class TrackedStatus:
    """One report of a phone's list: as much as its tracking page shows."""

    token: str
    number: int
    status: Status
    updated: datetime  # the last public history line (the report itself when there is none)


def statuses(*, session: Session, tokens: Sequence[str]) -> list[TrackedStatus]:
    """The known reports among `tokens`, in the order asked; unknown ones are left out."""
    if len(tokens) > MAX_TOKENS:
        raise TooManyTokens(len(tokens))
    wanted = list(dict.fromkeys(t for t in tokens if submission.TOKEN_RE.match(t)))
    if not wanted:
        return []
    rows = session.exec(
        select(Observation.token, Observation.id, Observation.status, Observation.created_at).where(
            col(Observation.token).in_(wanted)
        )
    ).all()
    ids = [row[1] for row in rows]
    last_public = dict(
        session.exec(
            select(ObservationEvent.observation_id, func.max(ObservationEvent.at))
            .where(
                col(ObservationEvent.observation_id).in_(ids),
                col(ObservationEvent.public).is_(True),
            )
            .group_by(col(ObservationEvent.observation_id))
        ).all()
    )
    found = {
        token: TrackedStatus(
            token=token,
            number=number,
            status=Status(status),
            updated=last_public.get(number) or created_at,
        )
        for token, number, status, created_at in rows
    }
    return [found[t] for t in wanted if t in found]
