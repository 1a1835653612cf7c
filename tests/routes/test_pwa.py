"""The installable web app: the manifest, and the service worker with what it keeps offline."""

from __future__ import annotations

import json
import re

from app.services import offline


def test_the_manifest_makes_the_capture_page_installable(client):
    answer = client.get("/manifest.webmanifest", headers={"Accept-Language": "sv"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/manifest+json")
    manifest = answer.json()
    assert manifest["start_url"] == "/" and manifest["display"] == "standalone"
    assert manifest["lang"] == "sv" and "Rapportera" in manifest["description"]
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200
    assert 'rel="manifest"' in client.get("/").text


def test_the_service_worker_is_served_from_the_root_and_never_cached(client):
    answer = client.get("/sw.js")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/javascript")
    assert answer.headers["cache-control"] == "no-cache"
    assert f'var VERSION = "{offline.version()}";' in answer.text


def test_everything_the_worker_keeps_exists_and_staff_assets_stay_out(client):
    """One missing file would make the worker's installation fail, and nothing work offline."""
    body = client.get("/sw.js").text
    precache = json.loads(re.search(r"var PRECACHE = (\[.*?\]);", body).group(1))
    assert "/" in precache and "/static/js/capture.js" in precache
    assert "/static/js/outbox.js" in precache and "/zones.geojson" in precache
    assert not any("queue-map" in url or "markercluster" in url for url in precache)
    for url in precache:
        assert client.get(url).status_code == 200, url


def test_pages_made_for_staff_are_never_stored(client, session):
    from tests.factories import login_as

    assert "no-store" not in client.get("/").headers.get("cache-control", "")
    login_as(client, session, "triager")
    assert client.get("/staff").headers["cache-control"] == "no-store"
    assert client.get("/triage").headers["cache-control"] == "no-store"
    assert "no-store" in client.get("/sw.js").text  # and the worker respects it
