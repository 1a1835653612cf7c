from datetime import datetime

from sqlmodel import Field, SQLModel

from app.models._types import UTCDateTime, utcnow


class AuditEntry(SQLModel, table=True):
    """One change an admin made to how the app is set up (services/audit writes them all).

    What changed is kept as the fields' old and new values, never a password, a key or a
    token; the log is kept `retention_audit_days` like the other logs."""

    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    # The admin who did it; None for the command line (actor says "cli") or a deleted account.
    actor_id: int | None = Field(
        default=None, foreign_key="staff_user.id", index=True, ondelete="SET NULL"
    )
    actor: str = Field(default="", max_length=200)
    # What kind of thing (account, unit, category, routing_rule, zone, api_key) and which one.
    subject_kind: str = Field(max_length=40, index=True)
    subject_id: int | None = Field(default=None)
    # A dotted verb: "account.create", "zone.delete", "api_key.revoke" ...
    action: str = Field(max_length=60)
    # JSON: {"field": [old, new], ...} or a short description; no secrets.
    changes: str = Field(default="", max_length=8000)
