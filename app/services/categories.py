"""The categories a resident chooses from."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, select

from app.models import Category


def active(*, session: Session) -> Sequence[Category]:
    return session.exec(
        select(Category).where(Category.active).order_by(Category.position, Category.id)
    ).all()


def by_slug(*, session: Session, slug: str) -> Category | None:
    return session.exec(select(Category).where(Category.slug == slug, Category.active)).first()
