"""Dependencies as Annotated aliases, written once and used by every route."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session
from starlette.datastructures import FormData

from app.config import Settings


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_session(request: Request) -> Iterator[Session]:
    with Session(request.app.state.engine) as session:
        yield session


async def get_form(request: Request) -> AsyncIterator[FormData]:
    """The parsed multipart form, bounded; its uploaded files are closed after the response."""
    # max_files is generous so that "too many photos" gets its own clear message from the
    # service; the body size limit already bounds what a request can carry.
    async with request.form(max_files=50, max_fields=64, max_part_size=256 * 1024) as form:
        yield form


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]
FormDep = Annotated[FormData, Depends(get_form)]
