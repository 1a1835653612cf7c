"""Answers every page gives: headers that keep tracking links private, clear error pages."""

from __future__ import annotations


def test_no_referrer_leaves_the_site_and_pages_cannot_be_framed(client):
    headers = client.get("/").headers
    assert headers["referrer-policy"] == "same-origin"
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert "script-src 'self'" in headers["content-security-policy"]


def test_unknown_pages_get_a_page_a_person_can_read(client):
    page = client.get("/no/such/page")
    assert page.status_code == 404
    assert "could not find" in page.text and "<html" in page.text
    api = client.get("/no/such/page", headers={"Accept": "application/json"})
    assert api.status_code == 404 and "error" in api.json()


def test_wrong_method_is_refused_politely(client):
    answer = client.delete("/observations")
    assert answer.status_code == 405
    assert "<html" in answer.text


def test_a_malformed_multipart_body_is_a_400_not_a_500(client):
    answer = client.post(
        "/observations",
        content=b"--x\r\nnot really multipart",
        headers={"Content-Type": "multipart/form-data; boundary=x"},
    )
    assert answer.status_code in (400, 422)


def test_health_check_reaches_the_database(client):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_zone_outlines_are_geojson(client):
    answer = client.get("/zones.geojson")
    assert answer.headers["content-type"].startswith("application/geo+json")
    names = {f["properties"]["name"] for f in answer.json()["features"]}
    assert {"Centrum", "Björknäs", "Sävast", "Heden"} <= names


def test_static_assets_are_served_locally(client):
    for path in (
        "/static/vendor/htmx/htmx.min.js",
        "/static/vendor/leaflet/leaflet.js",
        "/static/css/app.css",
        "/static/js/capture.js",
    ):
        assert client.get(path).status_code == 200, path
    assert "unpkg" not in client.get("/").text and "cdn" not in client.get("/").text.lower()


def test_head_requests_answer_like_get_without_a_body(client):
    answer = client.head("/")
    assert answer.status_code == 200 and answer.content == b""
    assert answer.headers["content-type"].startswith("text/html")
