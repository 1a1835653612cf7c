"""Settings from the environment (prefix SAFETYWALK_), with every threshold named in one place."""

from __future__ import annotations

import ipaddress
import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

LANGUAGES = ("sv", "en")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SAFETYWALK_", extra="ignore")

    environment: Literal["development", "production"] = "development"
    data_dir: Path = Path("data")
    # Default: an SQLite file under data_dir. PostgreSQL: postgresql+psycopg://user:pw@host/db
    database_url: str = ""
    media_dir: Path | None = None
    # Made and kept in data_dir/secret_key on first start when unset.
    secret_key: str = ""
    default_language: Literal["sv", "en"] = "sv"
    # HOST and PORT without the prefix win, as platforms and `make run` set them.
    host: str = Field("127.0.0.1", validation_alias=AliasChoices("HOST", "SAFETYWALK_HOST"))
    port: int = Field(
        8000, ge=1, le=65535, validation_alias=AliasChoices("PORT", "SAFETYWALK_PORT")
    )

    # Map: tiles are a setting so the app works where no tile server is reachable ("" = no tiles).
    tile_url: str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    tile_attribution: str = "© OpenStreetMap contributors"
    map_center_lat: float = Field(65.8253, ge=-90, le=90)
    map_center_lon: float = Field(21.6880, ge=-180, le=180)
    map_zoom: int = Field(14, ge=1, le=19)

    # Photos
    photo_max_px: int = 1600
    thumb_max_px: int = 400
    # One photo as uploaded; a 12 MP phone JPEG is 3-8 MB, a 48 MP one up to ~20 MB.
    upload_max_bytes: int = 25 * 1024 * 1024
    # Refuse larger images before decoding (decompression bombs); 64 MP covers phone cameras.
    photo_max_pixels: int = 64_000_000
    # PNG and WebP decode at full size (no JPEG draft): a lower cap bounds their memory.
    photo_max_pixels_full_decode: int = 24_000_000
    photos_per_observation: int = Field(3, ge=1, le=10)
    # Decoding is the cost: at most this many photos are decoded at once, the rest queue.
    photo_workers: int = Field(2, ge=1)

    # A browser position less accurate than this gets a warning and a nudge to place the pin.
    gps_warn_accuracy_m: float = 100
    description_max_chars: int = Field(2000, ge=1, le=4000)  # the column holds 4000

    # Open observations of the same category closer than this are flagged as possible duplicates.
    duplicate_radius_m: float = Field(25, gt=0, le=1000)

    # Residents are offered open reports of the same kind this close before they report again.
    me_too_radius_m: float = Field(50, gt=0, le=1000)
    # With this many supporters, a normal or low priority report becomes high.
    supporters_for_high_priority: int = Field(3, ge=1)
    # "Me too" and co-signing per hour: one phone backs at most this many reports (a walk's
    # participant may co-sign every item of a long walk) ...
    supports_per_device_per_hour: int = Field(30, ge=1)
    # ... and one address at most this many (a walk group may share one network).
    supports_per_address_per_hour: int = Field(200, ge=1)

    # Triage: days from the report to its due date, by priority.
    due_days_low: int = Field(30, ge=1)
    due_days_normal: int = Field(14, ge=1)
    due_days_high: int = Field(5, ge=1)
    due_days_urgent: int = Field(1, ge=1)

    # E-mail. Without smtp_host, mails wait in the outbox (the staff page says so).
    smtp_host: str = ""
    smtp_port: int = Field(587, ge=1, le=65535)
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = True
    # STARTTLS checks the server's certificate against the system's CAs, or against this PEM file
    # (a private CA, or a server's own self-signed certificate).
    smtp_ca_file: str = ""
    mail_from: str = "SafetyWalk <no-reply@safetywalk.example>"
    # The address residents' tracking links start with (https://safetywalk.example.org).
    public_url: str = "http://127.0.0.1:8000"
    # A unit gets at most one digest of new observations this often.
    digest_minutes: int = Field(60, ge=1)
    # The app sends the outbox itself every this many seconds (0: leave it to
    # `safetywalk outbox --loop` in its own process).
    outbox_interval_seconds: int = Field(30, ge=0)

    # Units are reminded this many days before an open report is due (and again once overdue).
    remind_days_before_due: int = Field(2, ge=0)

    # Staff sign-in
    session_hours: float = Field(12, gt=0)  # a staff session ends this long after login
    # Failed logins allowed per account (and per known device) before each further try waits:
    # 1 s after the first one over, then 2, 4, 8 ... up to login_max_delay_seconds.
    login_max_failures: int = Field(5, ge=1)
    # The same per client address, over all accounts (one address guessing many accounts).
    login_max_failures_per_address: int = Field(20, ge=1)
    # Failures are forgotten when none has come for this many minutes.
    login_window_minutes: int = Field(15, ge=1)
    login_max_delay_seconds: int = Field(600, ge=1)
    # A browser that has logged in is a known device this long (a signed cookie): it has its
    # own budget, so guesses from elsewhere never keep the account's owner out.
    login_device_days: int = Field(365, ge=1)
    # Street addresses: a Nominatim-compatible server (https://nominatim.example.org), asked
    # in the background after capture; empty = off. Public Nominatim allows one request a
    # second and asks for a User-Agent that names the application and a contact.
    geocoder_url: str = ""
    geocoder_user_agent: str = "SafetyWalk (https://github.com/safetywalk)"
    geocoder_timeout_seconds: float = Field(5, gt=0, le=60)
    geocoder_min_interval_seconds: float = Field(1.0, ge=0, le=60)
    # The app geocodes new reports every this many seconds (0: leave it to
    # `safetywalk geocode --loop` in its own process).
    geocoder_interval_seconds: int = Field(30, ge=0)

    # Open311 GeoReport v2 at /open311/v2/ (README: "Open311"). The one jurisdiction this
    # endpoint serves ("" = the host name of public_url, e.g. safetywalk.boden.se).
    open311_jurisdiction_id: str = Field("", max_length=200)
    # The discovery document's contact and how to get an API key (free text).
    open311_contact: str = Field("", max_length=500)
    open311_key_service: str = Field("", max_length=500)
    # Service requests a client system may POST per hour (an admin may set another per key).
    open311_posts_per_hour: int = Field(120, ge=1)
    # GET requests answers at most this many per page (the spec's default limit is 1000).
    open311_max_requests: int = Field(1000, ge=1, le=10_000)
    # A POST's media_url is fetched only from these hosts (comma-separated host names;
    # empty = media_url is refused), never from loopback, private or link-local addresses ...
    open311_media_hosts: str = ""
    # ... unless the address lies in one of these networks an operator vouches for
    # (comma-separated CIDRs, e.g. an intranet photo server at 10.1.2.0/24).
    open311_media_trusted_networks: str = ""
    open311_media_timeout_seconds: float = Field(10, gt=0, le=60)

    # Photo storage (README: "Photo storage"): "" = the local folder media_dir (default
    # data_dir/media); s3://bucket/prefix = an S3-compatible object store. Its credentials come
    # from the standard AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY environment variables.
    media_url: str = Field("", max_length=500)
    # The object store's address (MinIO, Ceph ...: http://minio:9000); "" = AWS itself.
    media_s3_endpoint_url: str = Field("", max_length=500)
    media_s3_region: str = Field("us-east-1", max_length=64)

    # Photo moderation: "review" = a resident's photo is public only after a member of staff has
    # looked at it; "immediate" = public at once (FixMyStreet's default is to moderate).
    photo_moderation: Literal["review", "immediate"] = "review"

    # Retention (README: "Retention"): how long personal data is kept; applied by
    # `safetywalk retention` and by the app itself every retention_interval_seconds (0: off).
    # A closed report forgets its reporter's e-mail this many days after it was closed ...
    retention_reporter_email_days: int = Field(90, ge=1)
    # ... failed-login records (client addresses) this many days after the last failure ...
    retention_login_address_days: int = Field(30, ge=1)
    # ... a walk forgets its participants' device ids this long after its protocol was closed ...
    retention_walk_device_days: int = Field(30, ge=1)
    # ... photos of private categories (drug dealing ...) go this long after the report closed ...
    retention_private_photo_days: int = Field(730, ge=1)
    # ... and the admin audit log and the Open311 POST log keep this many days.
    retention_audit_days: int = Field(730, ge=1)
    retention_interval_seconds: int = Field(3600, ge=0)
    # Who residents ask about their personal data, as the privacy page shows it (free text: the
    # data controller, its data protection officer's e-mail ...; "" = "the municipality").
    privacy_contact: str = Field("", max_length=500)

    # Operations: logs as JSON lines (one object per line, with the request id) or plain text.
    log_format: Literal["json", "text"] = "json"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # /metrics (Prometheus) answers only clients in these networks (comma-separated CIDRs).
    metrics_networks: str = "127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16"
    # On SIGTERM, requests in flight get this long to finish before the server stops anyway
    # (keep it below the orchestrator's kill timeout: docker's stop_grace_period, systemd's).
    shutdown_timeout_seconds: int = Field(20, ge=1, le=600)

    # Session cookies are Secure (HTTPS only); set false only for plain-HTTP development.
    cookie_secure: bool | None = None

    @property
    def secure_cookies(self) -> bool:
        if self.cookie_secure is None:
            return self.environment == "production"
        return self.cookie_secure

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.environment != "production":
            return self
        if self.secret_key and len(self.secret_key) < 32:
            raise ValueError("SAFETYWALK_SECRET_KEY must be at least 32 characters in production")
        # The address goes into every e-mail and every printed QR code: a loopback one (the
        # development default) would send residents to their own phones.
        if problem := _public_url_problem(self.public_url):
            raise ValueError(
                f"SAFETYWALK_PUBLIC_URL {problem} in production: set it to the address residents "
                "reach the site at, for example https://safetywalk.example.org"
            )
        return self

    @property
    def sqlalchemy_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'safetywalk.db').as_posix()}"

    @property
    def media_path(self) -> Path:
        return self.media_dir or self.data_dir / "media"

    @property
    def jurisdiction_id(self) -> str:
        """The Open311 jurisdiction: the setting, else the public address's host name."""
        return self.open311_jurisdiction_id.strip() or (urlsplit(self.public_url).hostname or "")

    @property
    def open311_body_max_bytes(self) -> int:
        """An Open311 POST: one photo at its limit (media) and the text fields."""
        return self.upload_max_bytes + 256 * 1024

    @property
    def upload_body_max_bytes(self) -> int:
        """Whole request: every photo at its limit, plus room for the text fields."""
        return self.photos_per_observation * self.upload_max_bytes + 1024 * 1024

    def ensure_secret_key(self) -> str:
        """The configured key, or one made on first start and kept in data_dir."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            # Created 0600 from the start: never readable by others, not even for a moment.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(48))
        self.secret_key = path.read_text().strip()
        return self.secret_key


def _public_url_problem(url: str) -> str | None:
    """Why `url` cannot be the site's public address, or None when it can."""
    if not url.strip():
        return "must be set"
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").rstrip(".").lower()
    except ValueError:  # such as an unclosed "[::1"
        parts, host = urlsplit(""), ""
    if parts.scheme not in ("http", "https") or not host:
        return f"must be an http(s) address with a host name, not {url!r}"
    if host == "localhost" or host.endswith(".localhost"):
        return f"must not be a loopback or unspecified address ({url})"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None  # a host name
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if address.is_loopback or address.is_unspecified:
        return f"must not be a loopback or unspecified address ({url})"
    return None


@lru_cache
def get_settings() -> Settings:
    return Settings()
