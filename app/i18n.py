"""Languages: Babel catalogs (app/translations/<lang>/LC_MESSAGES/messages.po), read at start-up.

The current language lives in a context variable set per request by `LanguageMiddleware`, so
`gettext` here, in services and in templates always speaks the visitor's language.
"""

from __future__ import annotations

import gettext as _gettext
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from http.cookies import SimpleCookie
from io import BytesIO
from pathlib import Path
from typing import Any

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from starlette.types import ASGIApp, Receive, Scope, Send

from app.config import LANGUAGES

TRANSLATIONS_DIR = Path(__file__).parent / "translations"
LANGUAGE_COOKIE = "lang"

_current: ContextVar[str] = ContextVar("language", default="sv")


@cache
def translations(lang: str) -> _gettext.NullTranslations:
    """The catalog for one language, compiled in memory from its .po file (no .mo to go stale)."""
    po = TRANSLATIONS_DIR / lang / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        return _gettext.NullTranslations()
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


def current_language() -> str:
    return _current.get()


def set_language(lang: str) -> None:
    _current.set(lang)


@contextmanager
def using(lang: str) -> Iterator[None]:
    """Speak `lang` inside the block (e.g. an e-mail in the reporter's language)."""
    token = _current.set(lang if lang in LANGUAGES else "sv")
    try:
        yield
    finally:
        _current.reset(token)


def gettext(message: str, **variables: object) -> str:
    text = translations(current_language()).gettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: object) -> str:
    text = translations(current_language()).ngettext(singular, plural, n)
    variables.setdefault("num", n)
    return text % variables


_ = gettext


def install_gettext(env: Any) -> None:
    """Give a Jinja environment (pages or mails) the catalog of the current language. Jinja
    formats newstyle strings itself, so it gets the bare catalog lookups."""
    env.install_gettext_callables(
        lambda s: translations(current_language()).gettext(s),
        lambda s, p, n: translations(current_language()).ngettext(s, p, n),
        newstyle=True,
    )


def pick_language(cookie_header: str | None, accept_language: str | None, default: str) -> str:
    """The switch (a cookie) wins; then the browser's Accept-Language; then the default."""
    if cookie_header:
        cookie = SimpleCookie()
        try:
            cookie.load(cookie_header)
        except Exception:  # a malformed cookie header must not break the page
            cookie = SimpleCookie()
        chosen = cookie.get(LANGUAGE_COOKIE)
        if chosen and chosen.value in LANGUAGES:
            return chosen.value
    if accept_language:
        ranked = []
        for i, part in enumerate(accept_language.split(",")):
            tag, _sep, params = part.strip().partition(";")
            try:
                q = float(params.strip()[2:]) if params.strip().startswith("q=") else 1.0
            except ValueError:
                q = 0.0
            ranked.append((-q, i, tag.strip().lower()))
        for _q, _i, tag in sorted(ranked):
            base = tag.split("-")[0]
            if base in LANGUAGES:
                return base
            if base in ("nb", "nn", "no", "da"):  # Scandinavian readers read Swedish
                return "sv"
    return default


def locale(lang: str) -> Locale:
    return Locale.parse(lang)


class LanguageMiddleware:
    """Sets the request's language before any route or template runs."""

    def __init__(self, app: ASGIApp, default: str) -> None:
        self.app = app
        self.default = default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
            lang = pick_language(
                headers.get("cookie"), headers.get("accept-language"), self.default
            )
            set_language(lang)
            scope.setdefault("state", {})["language"] = lang
        await self.app(scope, receive, send)
