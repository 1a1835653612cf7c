"""`safetywalk import zones`, `export zones` and `zones place`, as an operator runs them."""

from __future__ import annotations

import json
import os
import signal
import subprocess

from sqlmodel import select

from app.models import Observation, PlacementState, Zone, ZonePlacement
from app.services import demo, zone_placement
from tests.factories import count
from tests.test_cli_registry import BIN, safetywalk
from tests.zonedata import WEST, add_observations, box, collection, feature, zone_links

SWEREF_FILE = demo.DEMO_DIR / "boden-districts-sweref99tm.geojson"


def test_a_dry_run_reports_and_the_import_then_places_the_observations(
    database_url, session, tmp_path
):
    ids = add_observations(session, [(65.8249, 21.6869), (65.8258, 21.7260), (65.60, 21.0)])
    zones_before = count(session, Zone)
    dry = safetywalk(database_url, "import", "zones", str(SWEREF_FILE), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "read GeoJSON in SWEREF 99 TM (EPSG:3006)" in dry.stdout
    assert "vastra-centrum: part_of_town in centrum, create" in dry.stdout
    assert "zones: 2 created, 0 updated, 8 unchanged (dry run: nothing changed)" in dry.stdout
    assert count(session, Zone) == zones_before

    done = safetywalk(database_url, "import", "zones", str(SWEREF_FILE), "--batch-size", "2")
    assert done.returncode == 0, done.stderr
    assert "placed 2 of 3\nplaced 3 of 3\n" in done.stdout
    assert count(session, Zone) == zones_before + 2
    part = session.exec(select(Zone).where(Zone.slug == "vastra-centrum")).one()
    assert session.get(Observation, ids[0]).zone_id == part.id
    assert (ids[0], part.parent_id) in zone_links(session)


def test_a_bad_file_prints_each_problem_with_its_feature_and_imports_nothing(
    database_url, session, tmp_path
):
    bad = tmp_path / "bad.geojson"
    bad.write_bytes(
        collection(
            feature(box(WEST), "west"),
            feature(box((2.3, 48.8, 2.4, 48.9)), "paris", "Paris"),
            feature(box(WEST), "west"),
        )
    )
    answer = safetywalk(database_url, "import", "zones", str(bad))
    assert answer.returncode == 1
    assert "Feature 2 (paris): it lies outside Sweden" in answer.stderr
    assert "nothing imported: 1 error(s)" in answer.stderr
    assert session.exec(select(Zone).where(Zone.slug == "west")).first() is None
    missing = safetywalk(database_url, "import", "zones", str(tmp_path / "nowhere.geojson"))
    assert missing.returncode == 1 and "cannot read" in missing.stderr
    wrong = safetywalk(database_url, "import", "units", str(bad), "--crs", "EPSG:3006")
    assert wrong.returncode == 2 and "zones only" in wrong.stderr


def test_the_crs_option_reads_a_file_that_does_not_say(database_url, session, tmp_path):
    from tests.zonedata import to_sweref

    plain = tmp_path / "plain.geojson"
    plain.write_bytes(collection(feature(to_sweref(box(WEST)), "west", "Väst")))
    assert safetywalk(database_url, "import", "zones", str(plain)).returncode == 1
    answer = safetywalk(database_url, "import", "zones", str(plain), "--crs", "EPSG:3006")
    assert answer.returncode == 0, answer.stderr
    assert "west: district, create" in answer.stdout


def test_export_to_a_file_and_to_stdout_then_import_unchanged(database_url, session, tmp_path):
    target = tmp_path / "zones.geojson"
    written = safetywalk(database_url, "export", "zones", str(target))
    assert written.returncode == 0 and "wrote 8 zones" in written.stderr
    document = json.loads(target.read_text(encoding="utf-8"))
    assert {f["properties"]["kind"] for f in document["features"]} == {"district"}
    shown = safetywalk(database_url, "export", "zones")
    assert json.loads(shown.stdout) == document
    again = safetywalk(database_url, "import", "zones", str(target))
    assert again.returncode == 0, again.stderr
    assert "zones: 0 created, 0 updated, 8 unchanged" in again.stdout
    assert "placed" not in again.stdout  # nothing changed: nothing to place
    assert session.exec(select(ZonePlacement)).all() == []


def test_zones_place_runs_anew_and_resume_goes_on_where_a_run_stopped(
    database_url, session, tmp_path
):
    nothing = safetywalk(database_url, "zones", "place", "--resume")
    assert nothing.returncode == 0 and "no unfinished placement" in nothing.stdout
    ids = add_observations(session, [(65.8253, 21.6880)] * 5)
    run = zone_placement.create(session=session)
    session.commit()
    zone_placement.run(session=session, placement_id=run.id, batch_size=2, max_batches=1)
    resumed = safetywalk(database_url, "zones", "place", "--resume", "--batch-size", "2")
    assert resumed.returncode == 0, resumed.stderr
    assert f"resuming after observation {ids[1]}" in resumed.stdout
    assert "placed 4 of 5\nplaced 5 of 5\n" in resumed.stdout
    session.expire_all()
    assert session.get(ZonePlacement, run.id).state == PlacementState.done
    assert len(zone_links(session)) == 5
    fresh = safetywalk(database_url, "zones", "place")
    assert fresh.returncode == 0 and "placed 5 of 5" in fresh.stdout
    assert safetywalk(database_url, "zones", "place", "--batch-size", "0").returncode == 2


def test_ctrl_c_leaves_the_run_resumable(database_url, session):
    ids = add_observations(session, [(65.8253 + i * 1e-6, 21.6880) for i in range(400)])
    run = zone_placement.create(session=session)
    session.commit()
    env = {**os.environ, "SAFETYWALK_DATABASE_URL": database_url}
    process = subprocess.Popen(
        [str(BIN), "zones", "place", "--resume", "--batch-size", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # As from a terminal: a runner started in the background may pass SIGINT on ignored.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    while line and not line.startswith("placed 3 of"):
        line = process.stdout.readline()
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, (out, err)
    assert "safetywalk zones place --resume" in err
    session.expire_all()
    stopped = session.get(ZonePlacement, run.id)
    assert stopped.state == PlacementState.running and 3 <= stopped.placed < 400
    assert stopped.last_observation_id == ids[stopped.placed - 1]
    assert len(zone_links(session)) == stopped.placed  # every committed batch, nothing more
    resumed = safetywalk(database_url, "zones", "place", "--resume", "--batch-size", "100")
    assert resumed.returncode == 0, resumed.stderr
    assert "placed 400 of 400" in resumed.stdout
    assert len(zone_links(session)) == 400
