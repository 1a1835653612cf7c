"""/admin/zones as an administrator or a planner uses it: the list with kinds, parents and
counts, an upload with a preview, the result, the re-placement's progress and resume, the
download; only admins and planners, every form with the CSRF token, never a 500."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlmodel import select

from app import clock
from app.models import Observation, PlacementState, Zone, ZonePlacement
from app.services import demo, zone_placement
from tests.factories import JSON, csrf_token, login_as, post_observation
from tests.zonedata import WEST, add_observations, box, collection, feature, zone_links

SWEREF_FILE = (demo.DEMO_DIR / "boden-districts-sweref99tm.geojson").read_bytes()


@pytest.fixture(autouse=True)
def _no_thread_outlives_the_test():
    yield
    zone_placement.wait(timeout=30)


@pytest.fixture
def token(client, session) -> str:
    login_as(client, session, "planner")
    return csrf_token(client, "/admin/zones")


def upload(client, token: str, data: bytes, *, name: str = "zones.geojson", **form: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/admin/zones/import",
        data={"csrf_token": token, **form},
        files={"file": (name, data, "application/geo+json")},
    )


def finished(client) -> str:  # type: ignore[no-untyped-def]
    """The progress block once the background run is done (as htmx polls it)."""
    zone_placement.wait(timeout=30)
    block = client.get("/admin/zones/placement", headers={"HX-Request": "true"})
    assert block.status_code == 200 and 'id="placement"' in block.text
    return block.text


def test_a_planner_imports_boden_in_sweref_with_a_preview_first(client, session, token):
    inside = post_observation(client, lat="65.8249", lon="21.6869", headers=JSON)  # Västra centrum
    assert inside.status_code == 201
    page = client.get("/admin/zones")
    assert page.status_code == 200 and "Centrum" in page.text and "Import zones" in page.text

    preview = upload(client, token, SWEREF_FILE, dry_run="true")
    assert preview.status_code == 200
    assert "Preview only: nothing was changed." in preview.text
    assert "SWEREF 99 TM (EPSG:3006)" in preview.text
    assert "2 new, 0 changed, 8 unchanged." in preview.text
    assert session.exec(select(Zone).where(Zone.slug == "vastra-centrum")).first() is None

    done = upload(client, token, SWEREF_FILE)
    assert done.status_code == 200 and "Imported." in done.text
    assert "Every observation is placed" in finished(client)
    session.expire_all()
    part = session.exec(select(Zone).where(Zone.slug == "vastra-centrum")).one()
    centrum = session.exec(select(Zone).where(Zone.slug == "centrum")).one()
    assert (part.kind, part.parent_id) == ("part_of_town", centrum.id)
    obs = session.exec(select(Observation)).one()
    assert obs.zone_id == part.id and zone_links(session) == {
        (obs.id, part.id),
        (obs.id, centrum.id),
    }
    listed = client.get("/admin/zones").text
    row = listed.split("<code>vastra-centrum</code>")[1].split("</tr>")[0]
    assert "Part of town" in row and "Centrum" in row and ">1</td>" in row


def test_a_bad_file_is_refused_naming_the_feature_and_nothing_changes(client, session, token):
    bad = collection(
        feature(box(WEST), "west", "Väst"),
        feature({"type": "Point", "coordinates": [21.6, 65.77]}, "spot", "Punkt"),
    )
    answer = upload(client, token, bad)
    assert answer.status_code == 422
    assert "Nothing was imported" in answer.text
    assert "Feature 2 (spot): its geometry is a Point" in answer.text
    assert session.exec(select(Zone).where(Zone.slug == "west")).first() is None
    empty = client.post("/admin/zones/import", data={"csrf_token": token})
    assert empty.status_code == 422 and "The file is empty" in empty.text


@pytest.mark.parametrize(
    "data",
    [
        b"\x00\x01\x02 not a file",
        b"PK\x03\x04\x00\x00broken",
        b'{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"slug": "'
        + b"[" * 5000
        + b'"}}]}',
        b"[" * 100_000,
        collection(feature(box(WEST), "x" * 5000)),
        collection(feature(box(WEST), "west", "Namn\x07med klocka")),
        collection(
            feature(
                {"type": "Polygon", "coordinates": [[[1e400, 1], [2, 2], [3, 3], [1e400, 1]]]},
                "big",
            )
        ),
        collection(feature({"type": "Polygon", "coordinates": "no"}, "odd", kind=7)),
        collection(feature(box(WEST), {"slug": "a dict"})),
    ],
)
def test_hostile_files_get_a_4xx_never_a_500(client, session, token, data):
    answer = upload(client, token, data)
    assert answer.status_code == 422, answer.text[:300]
    assert "Nothing was imported" in answer.text


def test_a_crs_chosen_on_the_page_is_used_and_an_unknown_one_refused(client, token):
    from tests.zonedata import to_sweref

    sweref_without_crs = collection(feature(to_sweref(box(WEST)), "west"))
    assert upload(client, token, sweref_without_crs).status_code == 422
    assert upload(client, token, sweref_without_crs, crs="EPSG:3006").status_code == 200
    odd = upload(client, token, sweref_without_crs, crs="EPSG:2154")
    assert odd.status_code == 422 and "EPSG:2154" in odd.text


def test_a_file_over_the_limit_is_refused(client, token):
    answer = upload(client, token, b" " * (20 * 1024 * 1024 + 1))
    assert answer.status_code == 422 and "too large" in answer.text


def test_the_download_is_geojson_that_imports_back_unchanged(client, token):
    download = client.get("/admin/zones/export")
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("application/geo+json")
    assert "attachment" in download.headers["content-disposition"]
    document = json.loads(download.content)
    assert len(document["features"]) == 8
    assert document["features"][0]["properties"].keys() == {"slug", "name", "kind", "parent"}
    again = upload(client, token, download.content)
    assert again.status_code == 200 and "0 new, 0 changed, 8 unchanged." in again.text


def test_a_stopped_placement_is_resumed_from_the_page(client, session, token):
    ids = add_observations(session, [(65.8253, 21.6880), (65.8258, 21.7260), (65.60, 21.0)])
    run = zone_placement.create(session=session)
    session.commit()
    zone_placement.run(session=session, placement_id=run.id, batch_size=1, max_batches=1)
    running = client.get("/admin/zones")
    assert "Placed 1 of 3 observations." in running.text
    assert 'hx-get="/admin/zones/placement"' in running.text  # polls while it may be running
    assert "Resume" not in running.text
    clock.set_to(clock.now() + timedelta(minutes=5))  # nothing moved it on since
    stalled = client.get("/admin/zones")
    assert "The placement stopped before it was finished" in stalled.text
    resumed = client.post(
        "/admin/zones/placement", data={"csrf_token": token}, follow_redirects=False
    )
    assert resumed.status_code == 303 and resumed.headers["location"] == "/admin/zones"
    assert "Every observation is placed in the zones as they are now (3 observations)" in finished(
        client
    )
    session.expire_all()
    assert session.get(ZonePlacement, run.id).state == PlacementState.done
    centrum = session.exec(select(Zone).where(Zone.slug == "centrum")).one()
    assert session.get(Observation, ids[0]).zone_id == centrum.id
    assert session.get(Observation, ids[2]).zone_id is None


def test_the_import_and_resume_refuse_a_missing_or_forged_csrf_token(client, session, token):
    for url in ("/admin/zones/import", "/admin/zones/placement"):
        for data in ({}, {"csrf_token": "forged"}):
            answer = client.post(url, data=data, files={"file": ("z.geojson", SWEREF_FILE)})
            assert answer.status_code == 403
    assert session.exec(select(Zone).where(Zone.slug == "vastra-centrum")).first() is None


@pytest.mark.parametrize("role", ["triager", "unit_worker", "walk_leader"])
def test_other_staff_may_not_import_zones(client, session, role):
    login_as(client, session, role, unit="street-lighting")
    assert client.get("/admin/zones").status_code == 403
    token = csrf_token(client)
    answer = upload(client, token, SWEREF_FILE)
    assert answer.status_code == 403
    assert session.exec(select(Zone).where(Zone.slug == "vastra-centrum")).first() is None


def test_an_admin_sees_the_admin_menu_and_a_planner_the_zones_link(client, session):
    login_as(client, session, "planner")
    page = client.get("/admin/zones").text
    assert 'href="/admin/users"' not in page and 'href="/admin/zones"' in client.get("/staff").text
    client.cookies.clear()
    login_as(client, session, "admin")
    assert 'href="/admin/users"' in client.get("/admin/zones").text


def test_two_imports_in_a_row_end_with_the_observations_in_the_latest_zones(client, session, token):
    ids = add_observations(session, [(65.775, 21.619 + i * 1e-6) for i in range(50)])
    first = collection(
        feature(box(WEST), "west"), feature(box((21.62, 65.77, 21.64, 65.78)), "east")
    )
    moved = collection(
        feature(box((21.60, 65.77, 21.618, 65.78)), "west"),
        feature(box((21.618, 65.77, 21.64, 65.78)), "east"),
    )
    assert upload(client, token, first).status_code == 200
    assert upload(client, token, moved).status_code == 200  # the first run may still be going
    assert "Every observation is placed" in finished(client)
    session.expire_all()
    runs = session.exec(select(ZonePlacement).order_by(ZonePlacement.id)).all()
    assert [r.state for r in runs][-1] == PlacementState.done
    assert {r.state for r in runs[:-1]} <= {PlacementState.done, PlacementState.superseded}
    east = session.exec(select(Zone).where(Zone.slug == "east")).one()
    assert {session.get(Observation, i).zone_id for i in ids} == {east.id}
    assert {z for _o, z in zone_links(session)} == {east.id}
