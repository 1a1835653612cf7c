"""Swedish and English: the catalogs cover every string, and the visitor's choice is followed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from app.i18n import pick_language

ROOT = Path(__file__).resolve().parent.parent


def test_every_user_facing_string_has_a_swedish_translation(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-o",
            str(pot),
            "--no-location",
            "-k",
            "_",
            "-k",
            "gettext",
            "-k",
            "ngettext:1,2",
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as fh:
        wanted = {m.id for m in read_po(fh) if m.id}
    with (ROOT / "app/translations/sv/LC_MESSAGES/messages.po").open("rb") as fh:
        swedish = {m.id: m.string for m in read_po(fh) if m.id}

    def translated(msgid) -> bool:  # type: ignore[no-untyped-def]
        found = swedish.get(msgid)
        return bool(found) and all(_strings(found))

    missing = sorted(str(m) for m in wanted if not translated(m))
    assert missing == [], "run `make messages`, then translate in messages.po: " + "; ".join(missing)
    assert len(wanted) > 50


def test_the_swedish_catalog_has_no_empty_or_fuzzy_entry():
    with (ROOT / "app/translations/sv/LC_MESSAGES/messages.po").open("rb") as fh:
        catalog = read_po(fh)
    empty = [str(m.id) for m in catalog if m.id and not all(_strings(m.string))]
    fuzzy = [str(m.id) for m in catalog if m.id and m.fuzzy]
    assert empty == [], "translate in messages.po: " + "; ".join(empty)
    assert fuzzy == [], "review the fuzzy entries in messages.po: " + "; ".join(fuzzy)


def _strings(value: str | tuple[str, ...]) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else (value,)


def test_accept_language_picks_and_the_switch_wins():
    assert pick_language(None, "en-GB,en;q=0.9", "sv") == "en"
    assert pick_language(None, "de-DE,sv;q=0.5,en;q=0.4", "sv") == "sv"
    assert pick_language(None, "de-DE", "sv") == "sv"
    assert pick_language(None, "fr, en;q=0.1", "sv") == "en"
    assert pick_language("lang=en", "sv-SE", "sv") == "en"
    assert pick_language("lang=xx; other=1", "en", "sv") == "en"
    assert pick_language('bad"cookie', None, "en") == "en"


def test_pages_speak_the_visitors_language(client):
    assert "Rapportera en plats" in client.get("/", headers={"Accept-Language": "sv-SE"}).text
    assert "Report a place" in client.get("/", headers={"Accept-Language": "en-US"}).text
    assert '<html lang="sv">' in client.get("/", headers={"Accept-Language": "sv"}).text


def test_the_language_switch_sets_a_cookie_and_returns_to_the_page(client):
    answer = client.get("/lang/sv?next=/observations", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/observations"
    client.cookies.set("lang", answer.cookies["lang"])
    assert "Senaste rapporter" in client.get("/observations").text


def test_the_switch_never_redirects_off_site(client):
    for target in ("https://evil.example/", "//evil.example", "/\\evil.example"):
        answer = client.get("/lang/en", params={"next": target}, follow_redirects=False)
        assert answer.headers["location"] == "/"
