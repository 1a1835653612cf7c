"""Who sees and works on which observation: the one rule, as a Python predicate and as a SQL
clause that say the same thing.

Triagers and admins see and work on every observation. A unit's field staff (`unit_worker`)
see and work on what is routed to their unit, and nothing when the observation has no unit
or they have none. Walk leaders and planners do not work on observations, and neither does an
account that has been deactivated. The staff dependency (`deps.current_observation`), the
state machine, assignment and the queue all ask this module; none re-derives the rule.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, true

from app.models import Observation, Role, StaffUser

# The roles that work on observations at all: the triage desk, and the owning unit's staff.
WORKING_ROLES = (Role.triager, Role.unit_worker, Role.admin)


def can_see(user: StaffUser, obs: Observation) -> bool:
    """True when `user` may see and work on `obs`."""
    if not user.active or user.role not in WORKING_ROLES:
        return False
    if user.role != Role.unit_worker:
        return True
    return user.unit_id is not None and obs.unit_id == user.unit_id


def clause(user: StaffUser) -> ColumnElement[bool]:
    """`can_see` in SQL, for a query over Observation."""
    if not user.active or user.role not in WORKING_ROLES:
        return false()
    if user.role != Role.unit_worker:
        return true()
    if user.unit_id is None:  # `unit_id == None` would be IS NULL: every unrouted item
        return false()
    return Observation.unit_id == user.unit_id
