"""Staff sign-in and sign-out."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app import labels
from app.deps import (
    SESSION_COOKIE,
    SessionDep,
    SettingsDep,
    local_path,
    require_csrf,
)
from app.i18n import gettext as _
from app.i18n import ngettext
from app.services import auth
from app.templating import render

router = APIRouter()
# Before a session exists, the login form is protected by a double-submit cookie.
LOGIN_CSRF_COOKIE = "sw_login_csrf"
# Set at a successful login: this browser is known to the account (its own guessing budget).
# A staff browser that has logged in before keeps its own login budget (services/throttle).
LOGIN_DEVICE_COOKIE = "sw_login_device"


def _wait_message(seconds: int) -> str:
    if seconds < 120:
        return ngettext(
            "Too many failed attempts. Try again in %(num)s second.",
            "Too many failed attempts. Try again in %(num)s seconds.",
            seconds,
        )
    minutes = -(-seconds // 60)  # rounded up: never invite a try that is still too early
    return ngettext(
        "Too many failed attempts. Try again in %(num)s minute.",
        "Too many failed attempts. Try again in %(num)s minutes.",
        minutes,
    )


def _login_page(
    request: Request,
    *,
    next_path: str,
    error: str | None = None,
    email: str = "",
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
    response = render(
        request,
        "auth/login.html",
        {"next": next_path, "error": error, "email": email, "login_csrf": token},
        status_code=status_code,
        headers=headers,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=request.app.state.settings.secure_cookies,
        max_age=3600,
    )
    return response


@router.get("/login")
def login_form(
    request: Request, next: Annotated[str, Query(max_length=500)] = "/staff"
) -> Response:
    """The staff login page."""
    return _login_page(request, next_path=local_path(next, "/staff"))


@router.post("/login")
def log_in(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=500)] = "/staff",
    login_csrf: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    """Check the password, open a server-side session, go where the visitor was heading."""
    next_path = local_path(next, "/staff")
    if not auth.csrf_matches(request.cookies.get(LOGIN_CSRF_COOKIE, ""), login_csrf):
        return _login_page(
            request,
            next_path=next_path,
            email=email,
            status_code=403,
            error=_("This form has expired. Reload the page and try again."),
        )
    try:
        login = auth.log_in(
            session=session,
            email=email,
            password=password,
            client_ip=request.client.host if request.client else "unknown",
            device=request.cookies.get(LOGIN_DEVICE_COOKIE),
            secret_key=settings.ensure_secret_key(),
            limits=auth.LoginLimits.from_settings(settings),
            session_lifetime=timedelta(hours=settings.session_hours),
        )
    except auth.TooManyAttempts as wait:
        return _login_page(
            request,
            next_path=next_path,
            email=email,
            status_code=429,
            headers={"Retry-After": str(wait.retry_after)},
            error=_wait_message(wait.retry_after),
        )
    except auth.LoginRefused:
        return _login_page(
            request,
            next_path=next_path,
            email=email,
            status_code=401,
            error=_("Wrong e-mail address or password."),
        )
    if next_path == "/staff":  # heading nowhere in particular: the role's own start page
        next_path = labels.start_page(login.user.role)
    response = RedirectResponse(next_path, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        login.token,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        max_age=int(settings.session_hours * 3600),
    )
    response.set_cookie(
        LOGIN_DEVICE_COOKIE,
        login.device_token,
        httponly=True,
        samesite="strict",
        secure=settings.secure_cookies,
        max_age=settings.login_device_days * 86400,
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


@router.post("/logout", dependencies=[Depends(require_csrf)])
def log_out(request: Request, session: SessionDep) -> Response:
    """End the session on the server, so the cookie is worthless from now on."""
    auth.log_out(session=session, token=request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
