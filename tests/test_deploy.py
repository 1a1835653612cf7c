"""The production form (docker-compose.yml and deploy/Caddyfile) agrees with the app: every
setting it names exists, the proxy's body limit is the app's, the app servers believe forwarded
headers from the proxy alone, and nothing but the proxy is published. Docker itself is not
needed (`docker compose config` is checked too where the plugin is installed)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml  # PyYAML comes with moto[server]

from app.config import Settings

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"
CADDYFILE = ROOT / "deploy" / "Caddyfile"
SERVERS = ("app1", "app2")
SECRETS = {
    "POSTGRES_PASSWORD": "pg-secret",
    "SAFETYWALK_SECRET_KEY": "x" * 48,
    "SAFETYWALK_SITE": "trygghet.example.org",
    "SAFETYWALK_S3_SECRET": "s3-secret-123",
    "MINIO_ROOT_PASSWORD": "minio-secret-123",
}


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())["services"]


def caddy_bytes(text: str) -> int:
    """A Caddyfile size such as 76MiB or 80MB in bytes."""
    number, unit = re.fullmatch(r"(\d+)\s*([KMG]i?B)", text).groups()  # type: ignore[union-attr]
    power = "KMG".index(unit[0]) + 1
    return int(number) * (1024 if "i" in unit else 1000) ** power


def test_it_runs_postgres_an_object_store_two_servers_the_worker_and_a_proxy(services):
    assert {"postgres", "minio", "migrate", *SERVERS, "outbox", "caddy"} <= set(services)
    for name in SERVERS:
        assert services[name]["command"][:2] == ["safetywalk", "serve"]
    assert services["outbox"]["command"] == ["safetywalk", "outbox", "--loop"]
    assert services["migrate"]["command"] == ["safetywalk", "migrate"]


def test_every_setting_it_names_exists(services):
    known = {f"SAFETYWALK_{name.upper()}" for name in Settings.model_fields}
    named = {
        key
        for service in services.values()
        for key in (service.get("environment") or {})
        if key.startswith("SAFETYWALK_") and service.get("command", [""])[0] == "safetywalk"
    }
    assert named and named <= known, named - known


def test_app_servers_share_the_database_store_key_and_leave_mail_to_the_worker(services):
    environments = [services[name]["environment"] for name in (*SERVERS, "outbox")]
    for key in ("SAFETYWALK_DATABASE_URL", "SAFETYWALK_SECRET_KEY", "SAFETYWALK_MEDIA_URL"):
        assert len({str(env[key]) for env in environments}) == 1, key
    assert environments[0]["SAFETYWALK_MEDIA_URL"].startswith("s3://")
    for env in environments:
        assert env["SAFETYWALK_OUTBOX_INTERVAL_SECONDS"] == "0"


def test_forwarded_headers_are_believed_from_the_proxy_alone(services):
    proxy = services["caddy"]["networks"]["internal"]["ipv4_address"]
    for name in SERVERS:
        assert services[name]["environment"]["FORWARDED_ALLOW_IPS"] == proxy
        assert "ports" not in services[name]  # reachable through the proxy only
    published = [name for name, service in services.items() if service.get("ports")]
    assert published == ["caddy"]


def test_the_proxy_limits_bodies_as_the_app_does_and_serves_tls():
    text = CADDYFILE.read_text()
    (size,) = re.findall(r"^\s*max_size\s+(\S+)\s*$", text, re.MULTILINE)
    assert caddy_bytes(size) == Settings().upload_body_max_bytes
    assert re.search(r"^\s*tls\s+\{\$CADDY_TLS:internal\}\s*$", text, re.MULTILINE)
    (upstreams,) = re.findall(r"^\s*reverse_proxy\s+(.+?)\s*\{", text, re.MULTILINE)
    assert upstreams.split() == [f"{name}:8000" for name in SERVERS]
    for timeout in ("read_header", "read_body", "write", "idle", "response_header_timeout"):
        assert re.search(rf"^\s*{timeout}\s+\d+[smh]\s*$", text, re.MULTILINE), timeout


def test_processes_get_longer_to_stop_than_the_app_waits_for_requests(services):
    def seconds(text: str) -> int:
        number, unit = re.fullmatch(r"(\d+)([sm])", text).groups()  # type: ignore[union-attr]
        return int(number) * (60 if unit == "m" else 1)

    for name in (*SERVERS, "outbox"):
        grace = seconds(services[name]["stop_grace_period"])
        assert grace > Settings().shutdown_timeout_seconds, name


def test_the_image_can_back_up_postgresql():
    """`safetywalk backup` on PostgreSQL runs pg_dump: the image must have it."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    installs = re.search(r"apt-get install[^&]*", dockerfile)
    assert installs and "postgresql-client" in installs.group(0)
    (command,) = re.findall(r"^CMD (.+)$", dockerfile, re.MULTILINE)
    assert "load-demo" not in command  # a new instance starts empty


def _compose_available() -> bool:
    if not shutil.which("docker"):
        return False
    return subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0


@pytest.mark.skipif(not _compose_available(), reason="the docker compose plugin is not installed")
def test_docker_compose_accepts_the_file():
    result = subprocess.run(
        ["docker", "compose", "-f", str(COMPOSE), "config", "--quiet"],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/local/bin:/usr/bin:/bin", **SECRETS},
    )
    assert result.returncode == 0, result.stderr
