"""The audit log for administrators (`/admin/audit`): who changed which account, unit, category,
routing rule, zone, API key, outside owner or canned reply, when, and what the fields were
before and after. Newest first, filtered by kind, action and actor, a page at a time; the
filter form asks htmx for the list alone. Admins only (the entries name accounts and show
their old and new values)."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from app.deps import SessionDep, require_role
from app.i18n import gettext as _
from app.models import Role
from app.services import audit
from app.templating import render

router = APIRouter(prefix="/admin/audit", dependencies=[Depends(require_role(Role.admin))])

Kind = Annotated[str, Query(pattern=f"^({'|'.join(audit.KINDS)})?$")]
Action = Annotated[str, Query(pattern="^(" + "|".join(map(re.escape, audit.ACTIONS)) + ")?$")]
Actor = Annotated[str, Query(pattern=f"^({audit.CLI}|[1-9][0-9]{{0,8}})?$")]
PageNo = Annotated[int, Query(ge=1, le=1_000_000)]


def _kind_labels() -> dict[str, str]:
    return {
        "account": _("Staff account"),
        "unit": _("Unit"),
        "category": _("Category"),
        "routing_rule": _("Routing rule"),
        "zone": _("Zone"),
        "api_key": _("API key"),
        "outside_owner": _("Outside owner"),
        "canned_reply": _("Canned reply"),
    }


def _action_label(action: str) -> str:
    """ "Unit was created": the kind, then what happened to it (a whole sentence per verb, so
    that a language can place the words as it needs)."""
    kind, _dot, verb = action.partition(".")
    what = _kind_labels().get(kind, kind)
    sentences = {
        "create": _("%(what)s was created", what=what),
        "update": _("%(what)s was changed", what=what),
        "delete": _("%(what)s was deleted", what=what),
        "activate": _("%(what)s was activated", what=what),
        "deactivate": _("%(what)s was deactivated", what=what),
        "password": _("%(what)s got a new password", what=what),
        "revoke": _("%(what)s was revoked", what=what),
    }
    return sentences.get(verb, action)


@router.get("")
def audit_log(
    request: Request,
    session: SessionDep,
    kind: Kind = "",
    action: Action = "",
    actor: Actor = "",
    page: PageNo = 1,
) -> Response:
    """The log, newest first; htmx gets the entries alone."""
    flt = audit.Filter(kind=kind, action=action, actor=actor)
    actors = [
        (value, _("command line") if value == audit.CLI else label)
        for value, label in audit.actors(session=session)
    ]
    return render(
        request,
        "admin/audit.html",
        {
            "result": audit.entries(session=session, flt=flt, page=page),
            "flt": flt,
            "query": request.url.query,
            "kind_options": list(_kind_labels().items()),
            "action_options": [(a, _action_label(a)) for a in audit.ACTIONS],
            "actor_options": actors,
            "action_label": _action_label,
            "changes_of": audit.changes_of,
            "cli": audit.CLI,
        },
        block="entries",
    )
