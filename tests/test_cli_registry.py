"""`safetywalk export` and `safetywalk import`, as an administrator runs them on the server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from app.models import RoutingRule, Unit
from app.services import registry_csv
from tests.factories import count

BIN = Path(sys.executable).parent / "safetywalk"


def safetywalk(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SAFETYWALK_DATABASE_URL": database_url}
    return subprocess.run([str(BIN), *args], env=env, capture_output=True, text=True, timeout=60)


def test_export_to_stdout_and_to_a_file_then_import_it_unchanged(database_url, session, tmp_path):
    shown = safetywalk(database_url, "export", "units")
    assert shown.returncode == 0, shown.stderr
    assert (
        shown.stdout.splitlines()
        == registry_csv.export_csv(session=session, kind="units").splitlines()
    )
    assert "street-lighting,Gatubelysning,Street lighting" in shown.stdout
    target = tmp_path / "categories.csv"
    written = safetywalk(database_url, "export", "categories", "--output", str(target))
    assert written.returncode == 0 and target.read_bytes().startswith(b"slug,name_sv")
    again = safetywalk(database_url, "import", "categories", str(target))
    assert again.returncode == 0, again.stderr
    assert "0 created, 0 updated, 12 unchanged" in again.stdout


def test_import_creates_rules_and_a_dry_run_changes_nothing(database_url, session, tmp_path):
    rules = tmp_path / "rules.csv"
    rules.write_text("category,zone,unit\nvegetation,savast,property-owner\n,,streets\n")
    dry = safetywalk(database_url, "import", "rules", str(rules), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "2 created" in dry.stdout and "dry run" in dry.stdout
    assert count(session, RoutingRule) == 0
    done = safetywalk(database_url, "import", "rules", str(rules))
    assert done.returncode == 0 and "2 created" in done.stdout
    assert count(session, RoutingRule) == 2


def test_a_bad_file_prints_each_error_by_line_and_imports_nothing(database_url, session, tmp_path):
    units_before = count(session, Unit)
    bad = tmp_path / "units.csv"
    bad.write_text(
        "slug,name_sv,name_en,department_sv,department_en,email\n"
        "snow,Snöröjning,Snow clearing,,,\n"
        "Bad Slug,X,Y,,,\n"
        "ice,,Ice,,,nobody\n",
        encoding="utf-8",
    )
    answer = safetywalk(database_url, "import", "units", str(bad))
    assert answer.returncode == 1
    assert "line 3: slug:" in answer.stderr
    assert "line 4: name_sv:" in answer.stderr and "line 4: email:" in answer.stderr
    assert "nothing imported" in answer.stderr
    assert count(session, Unit) == units_before
    missing = safetywalk(database_url, "import", "units", str(tmp_path / "nope.csv"))
    assert missing.returncode == 1 and "cannot read" in missing.stderr
