"""The Open311 client systems and their API keys (`/admin/api-keys`): the list with a form for a
new one, each client's page with its recent POSTs, and revoking a key after a confirmation
(inline with htmx; a page of its own without JavaScript). Admins only; every form carries the
CSRF token. main.py includes this router before `admin_kinds`, whose `/admin/{kind}` would take
"api-keys" for a kind.

A new key is shown once, in the answer to the POST that made it: it is not stored, so no later
page (a reload included) can show it again."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Path, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app import clock
from app.deps import SessionDep, SettingsDep, VisitorDep, require_csrf, require_role
from app.i18n import gettext as _
from app.models import ApiClient, Role
from app.services import open311_keys
from app.templating import is_htmx, render

router = APIRouter(
    prefix="/admin/api-keys",
    dependencies=[Depends(require_role(Role.admin)), Depends(require_csrf)],
)
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
Notice = Annotated[str, Query(max_length=20)]


def _notice(key: str) -> str | None:
    return {
        "revoked": _("The key is revoked: every request with it is refused from now on."),
    }.get(key)


def api_client(client_id: Id, session: SessionDep) -> ApiClient:
    """The client system in the path, or 404."""
    found = open311_keys.by_id(session=session, client_id=client_id)
    if found is None:
        raise HTTPException(status_code=404)
    return found


ClientDep = Annotated[ApiClient, Depends(api_client)]


def _list_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    *,
    form: Mapping[str, str] | None = None,
    error: open311_keys.Invalid | None = None,
    made: tuple[ApiClient, str] | None = None,
) -> Response:
    context: dict[str, Any] = {
        "rows": open311_keys.clients(
            session=session, now=clock.now(), default_per_hour=settings.open311_posts_per_hour
        ),
        "form": form or {},
        "errors": error.errors if error else {},
        "made": made,
        "default_per_hour": settings.open311_posts_per_hour,
    }
    status = (409 if error.conflict else 422) if error else 200
    return render(request, "admin/api_keys.html", context, status_code=status)


@router.get("")
def api_keys_page(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """Every client system with its key's hint and use, and the form for a new one."""
    return _list_page(request, session, settings)


@router.post("")
def create_api_key(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    visitor: VisitorDep,
    name: Annotated[str, Form(max_length=400)] = "",
    contact: Annotated[str, Form(max_length=400)] = "",
    posts_per_hour: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """A new client system; the answer shows its key, this once."""
    form = {"name": name, "contact": contact, "posts_per_hour": posts_per_hour}
    try:
        made = open311_keys.create(
            session=session,
            name=name,
            contact=contact,
            posts_per_hour=posts_per_hour,
            by=visitor.user,
        )
    except open311_keys.Invalid as exc:
        return _list_page(request, session, settings, form=form, error=exc)
    return _list_page(request, session, settings, made=made)


def _client_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    client: ApiClient,
    *,
    confirm: bool = False,
    notice: str = "",
    block: str | None = None,
) -> Response:
    context: dict[str, Any] = {
        "client": client,
        "limit": client.posts_per_hour or settings.open311_posts_per_hour,
        "posts": open311_keys.recent_posts(session=session, client_id=client.id),  # type: ignore[arg-type]
        "most": open311_keys.RECENT,
        "confirm": confirm,
        "notice": _notice(notice),
    }
    return render(request, "admin/api_client.html", context, block=block)


@router.get("/{client_id}")
def client_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    client: ClientDep,
    notice: Notice = "",
) -> Response:
    """One client system: its key's hint, limit and use, its recent POSTs, and revoking."""
    return _client_page(request, session, settings, client, notice=notice)


@router.get("/{client_id}/revoke")
def confirm_revoke(
    request: Request, session: SessionDep, settings: SettingsDep, client: ClientDep
) -> Response:
    """Ask before revoking: inline on the client's page with htmx, else that page asking."""
    return _client_page(request, session, settings, client, confirm=True, block="revoke")


@router.post("/{client_id}/revoke")
def revoke_api_key(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    visitor: VisitorDep,
    client: ClientDep,
) -> Response:
    """Revoke the key at once (again: nothing changes)."""
    open311_keys.revoke(session=session, client_id=client.id, by=visitor.user)  # type: ignore[arg-type]
    if is_htmx(request):
        return _client_page(request, session, settings, client, notice="revoked", block="client")
    return RedirectResponse(f"/admin/api-keys/{client.id}?notice=revoked", status_code=303)
