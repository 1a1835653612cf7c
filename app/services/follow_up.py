"""A follow-up walk a year later: the earlier walk's problems are checked on site one by one
(fixed? how unsafe now?), and the two walks are compared place by place."""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, select

from app import clock
from app.config import Settings
from app.i18n import gettext as _
from app.models import CategoryKind, Observation, StaffUser, Walk, WalkCheck, WalkStatus
from app.services import text_input, walk_items, walks
from app.services.walk_items import WalkItem


@dataclass(frozen=True)
class CheckedItem:
    """An earlier walk's item, with the follow-up walk's check of it on site."""

    item: WalkItem
    check: WalkCheck | None

    @property
    def fixed(self) -> bool:
        """Fixed as far as anyone knows: checked fixed on site, or set fixed by the unit."""
        if self.check is not None and self.check.fixed is not None:
            return self.check.fixed
        return self.item.fixed


@dataclass(frozen=True)
class Comparison:
    """A follow-up walk against the earlier one."""

    earlier: Walk
    earlier_items: int
    checked: int
    fixed: int
    still_open: int
    mean_unsafe_before: float | None
    mean_unsafe_now: float | None
    new_items: int

    @property
    def change(self) -> float | None:
        if self.mean_unsafe_before is None or self.mean_unsafe_now is None:
            return None
        return round(self.mean_unsafe_now - self.mean_unsafe_before, 1)


def earlier_items(
    *, session: Session, walk: Walk, settings: Settings, lang: str
) -> list[CheckedItem]:
    """The items to re-check on a follow-up walk (problems only: good places are not fixed)."""
    if walk.follow_up_of_id is None:
        return []
    found = [
        i
        for i in walk_items.items(
            session=session, walk_id=walk.follow_up_of_id, settings=settings, lang=lang
        )
        if i.kind == CategoryKind.problem
    ]
    checks = {
        c.observation_id: c
        for c in session.exec(select(WalkCheck).where(WalkCheck.walk_id == walk.id)).all()
    }
    return [CheckedItem(i, checks.get(i.id)) for i in found]


def record_check(
    *,
    session: Session,
    walk: Walk,
    observation_id: int,
    fixed: str,
    unsafe_level: str,
    note: str,
    actor: StaffUser,
) -> WalkCheck:
    """The leader's on-site check of an earlier item; checking again replaces it."""
    walks.require_manager(actor, walk)
    if walk.follow_up_of_id is None:
        raise walks.WalkRefused(_("This walk is not a follow-up of an earlier walk."))
    if walk.status == WalkStatus.closed:
        raise walks.WalkRefused(_("The walk is closed; its protocol no longer changes."))
    obs = session.get(Observation, observation_id)
    if obs is None or obs.walk_id != walk.follow_up_of_id:
        raise walks.WalkRefused(_("That item is not from the earlier walk."), status_code=404)
    level: int | None = None
    if unsafe_level:
        if not re.fullmatch(r"[1-5]", unsafe_level):
            raise walks.WalkRefused(_("Choose how unsafe it feels, from 1 to 5."), status_code=422)
        level = int(unsafe_level)
    verdict = {"yes": True, "no": False, "unknown": None, "": None}.get(fixed, "bad")
    if verdict == "bad":
        raise walks.WalkRefused(_("Choose fixed, not fixed or can't tell."), status_code=422)
    check = session.exec(
        select(WalkCheck).where(
            WalkCheck.walk_id == walk.id, WalkCheck.observation_id == observation_id
        )
    ).first() or WalkCheck(walk_id=walk.id, observation_id=observation_id)  # type: ignore[arg-type]
    check.fixed = verdict  # type: ignore[assignment]
    check.unsafe_level = level
    check.note = text_input.clean(note)[:2000]
    check.checked_by_id = actor.id
    check.checked_at = clock.now()
    session.add(check)
    session.commit()
    session.refresh(check)
    return check


def compare(
    *, earlier: Walk, checked: Sequence[CheckedItem], own: Sequence[WalkItem]
) -> Comparison:
    # The same places then and now: only items rated on both walks are compared.
    pairs = [
        (c.item.unsafe_level, c.check.unsafe_level)
        for c in checked
        if c.item.unsafe_level and c.check and c.check.unsafe_level
    ]
    before = [then for then, _now in pairs]
    now = [now_ for _then, now_ in pairs]
    fixed = sum(1 for c in checked if c.fixed)
    return Comparison(
        earlier=earlier,
        earlier_items=len(checked),
        checked=sum(1 for c in checked if c.check is not None),
        fixed=fixed,
        still_open=len(checked) - fixed,
        mean_unsafe_before=round(statistics.fmean(before), 1) if before else None,
        mean_unsafe_now=round(statistics.fmean(now), 1) if now else None,
        new_items=sum(1 for i in own if i.kind == CategoryKind.problem),
    )
