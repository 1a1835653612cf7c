"""Open311 client systems and their API keys: made and revoked by admins, checked on every
POST (a revoked key stops at once), each POST logged with its key and counted against the
key's hourly limit."""

from __future__ import annotations
