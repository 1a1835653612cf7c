"""Re-placement: when the zones change, every existing observation is placed in them again.

A run (`ZonePlacement`) walks the observations in batches ordered by id. Each batch, in one
transaction, rewrites the batch's `ObservationZone` rows, updates `Observation.zone_id` with a
plain UPDATE where it changed (a re-placement is not an event in an observation's history, and
routing of existing observations stays as it was), and moves the run's `last_observation_id`
on. The move is conditional on the value the batch started from, so two runners on one run
(the page and the command line) never both write a batch: the second finds the run moved and
stops. A run that is stopped (Ctrl-C, a killed process, a restart) keeps its
`last_observation_id` and goes on from there when resumed; the end state is the same as an
uninterrupted run's. A new run supersedes an unfinished one: the zones changed again, so it
starts over from the first observation.

New observations arriving during a run are placed by capture in the zones as they are now.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, insert, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from app import clock
from app.models import Observation, ObservationZone, PlacementState, ZonePlacement
from app.services import zones

log = logging.getLogger("safetywalk.zones")

BATCH_SIZE = 2_000
# A running run whose last batch is older than this was stopped: the page offers to resume it.
STALLED_AFTER = timedelta(minutes=2)
UNFINISHED = (PlacementState.pending, PlacementState.running)

_thread: threading.Thread | None = None  # this process's placement thread, one at a time
_thread_lock = threading.Lock()


def create(*, session: Session) -> ZonePlacement:
    """A new pending run over every observation; an unfinished older run is superseded. The
    caller commits (with the zone changes that call for it)."""
    for old in session.exec(
        select(ZonePlacement).where(col(ZonePlacement.state).in_(UNFINISHED))
    ).all():
        old.state = PlacementState.superseded
        old.finished_at = clock.now()
        session.add(old)
    placement = ZonePlacement(total=_count(session))
    session.add(placement)
    session.flush()
    return placement


def _count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Observation)).one()


def latest(*, session: Session) -> ZonePlacement | None:
    return session.exec(
        select(ZonePlacement).order_by(col(ZonePlacement.id).desc()).limit(1)
    ).first()


def unfinished(*, session: Session) -> ZonePlacement | None:
    """The run to resume, if one is not finished."""
    found = latest(session=session)
    return found if found is not None and found.state in UNFINISHED else None


def run(
    *,
    session: Session,
    placement_id: int,
    batch_size: int = BATCH_SIZE,
    max_batches: int | None = None,
    progress: Callable[[ZonePlacement], None] | None = None,
) -> ZonePlacement:
    """Place the observations after the run's `last_observation_id`, a batch at a time,
    committing each; `max_batches` stops early (the run stays resumable). Returns the run as
    it was left: done, or still unfinished when stopped or taken over by another runner."""
    placement = session.get(ZonePlacement, placement_id)
    if placement is None or placement.state not in UNFINISHED:
        raise ValueError(f"no unfinished zone placement {placement_id}")
    if placement.started_at is None:
        placement.started_at = clock.now()
    placement.state = PlacementState.running
    placement.updated_at = clock.now()
    session.add(placement)
    session.commit()
    placer = zones.Placer.load(session=session)
    batches = 0
    while max_batches is None or batches < max_batches:
        session.refresh(placement)
        if placement.state != PlacementState.running:
            break  # superseded by a newer run
        if not _batch(session, placement, placer, batch_size):
            _finish(session, placement)
            break
        batches += 1
        if progress is not None:
            progress(placement)
    session.refresh(placement)
    return placement


def _batch(session: Session, placement: ZonePlacement, placer: zones.Placer, size: int) -> bool:
    """Place the next batch and commit; False when there is none left (or another runner
    moved the run on, which then finishes it)."""
    start = placement.last_observation_id
    rows = session.exec(
        select(Observation.id, Observation.lat, Observation.lon, Observation.zone_id)
        .where(col(Observation.id) > start)
        .order_by(col(Observation.id))
        .limit(size)
    ).all()
    if not rows:
        return False
    ids = [row[0] for row in rows]
    connection = session.connection()
    claimed = connection.execute(
        update(ZonePlacement)
        .where(
            col(ZonePlacement.id) == placement.id,
            col(ZonePlacement.last_observation_id) == start,
            col(ZonePlacement.state) == PlacementState.running,
        )
        .values(
            last_observation_id=ids[-1],
            placed=col(ZonePlacement.placed) + len(ids),
            updated_at=clock.now(),
        )
    )
    if claimed.rowcount != 1:
        session.rollback()
        log.info("zone placement %s was moved on by another runner", placement.id)
        return True  # the next round reads the run again and stops if it is not ours
    links: list[dict[str, int]] = []
    moved: dict[int | None, list[int]] = {}
    for obs_id, lat, lon, zone_id in rows:
        found = placer.at(lat, lon)
        links.extend({"zone_id": z, "observation_id": obs_id} for z in found.zone_ids)
        if found.zone_id != zone_id:
            moved.setdefault(found.zone_id, []).append(obs_id)
    connection.execute(delete(ObservationZone).where(col(ObservationZone.observation_id).in_(ids)))
    if links:
        connection.execute(insert(ObservationZone), links)
    for zone_id, changed in moved.items():
        # A plain UPDATE: no history line, no re-routing.
        connection.execute(
            update(Observation).where(col(Observation.id).in_(changed)).values(zone_id=zone_id)
        )
    session.commit()
    return True


def _finish(session: Session, placement: ZonePlacement) -> None:
    placement.state = PlacementState.done
    placement.finished_at = placement.updated_at = clock.now()
    placement.total = max(placement.total, placement.placed)
    session.add(placement)
    session.commit()


def run_until_done(*, session: Session, placement_id: int, batch_size: int = BATCH_SIZE) -> None:
    """`run` for a background thread: errors are logged, the run stays resumable."""
    try:
        run(session=session, placement_id=placement_id, batch_size=batch_size)
    except Exception:  # the thread must not die silently; the page offers to resume
        log.exception("zone placement %s stopped", placement_id)


def start_in_background(*, session: Session, batch_size: int = BATCH_SIZE) -> bool:
    """Run the unfinished run, if any, in a thread of this process (one thread at a time; a
    thread still busy with a run that a newer one superseded goes on with the newer one);
    True when a thread was started."""
    if unfinished(session=session) is None:
        return False
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    global _thread
    with _thread_lock:
        if _thread is not None and _thread.is_alive():
            return False

        def work() -> None:
            global _thread
            tried: set[int] = set()
            with Session(engine) as own:
                while True:
                    # Looked up under the lock, so that a run committed meanwhile is either
                    # seen here or finds this thread gone and starts its own.
                    with _thread_lock:
                        own.expire_all()
                        own.rollback()  # a fresh transaction sees the latest commits
                        placement = unfinished(session=own)
                        if placement is None or placement.id in tried:
                            _thread = None  # a run that failed here once waits for "Resume"
                            return
                    tried.add(placement.id)  # type: ignore[arg-type]
                    run_until_done(session=own, placement_id=placement.id, batch_size=batch_size)  # type: ignore[arg-type]

        _thread = threading.Thread(target=work, name="zone-placement", daemon=True)
        _thread.start()
    return True


def wait(timeout: float = 60.0) -> None:
    """Wait for this process's placement threads (tests, and an orderly shutdown)."""
    with _thread_lock:
        thread = _thread
    if thread is not None:
        thread.join(timeout)


def running_here() -> bool:
    with _thread_lock:
        return _thread is not None and _thread.is_alive()


@dataclass(frozen=True)
class Progress:
    """What the page shows of the latest run."""

    placement: ZonePlacement | None
    percent: int
    stalled: bool  # unfinished and nobody is working on it: offer "Resume"

    @property
    def active(self) -> bool:
        return self.placement is not None and self.placement.state in UNFINISHED


def progress(*, session: Session) -> Progress:
    placement = latest(session=session)
    if placement is None:
        return Progress(None, 0, stalled=False)
    total = max(placement.total, placement.placed, 1)
    percent = 100 if placement.state == PlacementState.done else placement.placed * 100 // total
    stalled = placement.state in UNFINISHED and not running_here()
    if stalled and placement.state == PlacementState.running and placement.updated_at:
        # Another process (the command line, another worker) may be at it: wait for it.
        stalled = clock.now() - placement.updated_at > STALLED_AFTER
    return Progress(placement, min(percent, 100), stalled=stalled)
