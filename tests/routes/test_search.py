"""The queue's search box (`?q=`): a report's number opens it, for those who may see it;
words find reports; whatever is typed gets a page, never a server error."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from sqlmodel import Session, select

from app.models import Observation
from app.services import fulltext
from tests.factories import JSON, login_as, post_observation


def report(client, session: Session, **fields) -> Observation:  # type: ignore[no-untyped-def]
    token = post_observation(client, headers=JSON, **fields).json()["token"]
    return session.exec(select(Observation).where(Observation.token == token)).one()


def linked_reports(page: str) -> set[int]:
    return {int(found) for found in re.findall(r'href="/triage/(\d+)[?"]', page)}


def search(client, typed: str, **headers: str):  # type: ignore[no-untyped-def]
    return client.get(f"/triage?q={quote(typed)}", headers=headers, follow_redirects=False)


@pytest.mark.parametrize("typed", ["{id}", "#{id}", " # {id} "])
def test_a_number_opens_the_report(client, session: Session, typed: str) -> None:
    obs = report(client, session)
    login_as(client, session, "triager")
    answer = search(client, typed.format(id=obs.id))
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/triage/{obs.id}"
    assert client.get(answer.headers["location"]).status_code == 200


def test_a_number_opens_the_report_whatever_else_the_filter_says(client, session) -> None:  # type: ignore[no-untyped-def]
    obs = report(client, session)
    login_as(client, session, "triager")
    answer = client.get(f"/triage?status=fixed&sort=newest&q=%23{obs.id}", follow_redirects=False)
    assert answer.headers["location"] == f"/triage/{obs.id}"


def test_from_the_filter_bar_htmx_is_told_to_navigate(client, session) -> None:  # type: ignore[no-untyped-def]
    """The filter bar sends its form by htmx, which would swap a followed redirect's whole
    page into the list: it is told to go to the report instead."""
    obs = report(client, session)
    login_as(client, session, "triager")
    answer = search(client, str(obs.id), **{"HX-Request": "true"})
    assert answer.status_code == 200
    assert answer.headers["HX-Redirect"] == f"/triage/{obs.id}"


def test_a_number_the_visitor_may_not_see_is_only_searched_as_words(client, session) -> None:  # type: ignore[no-untyped-def]
    """The police's drug-dealing report (a private category) and a number no report has: the
    parks' worker gets the queue for either, the same way, and no link to the hidden one."""
    secret = report(client, session, category="drug-dealing", description="Langning på kvällarna.")
    assert secret.unit_id is not None
    login_as(client, session, "unit_worker", unit="parks")
    for typed in (f"#{secret.id}", str(secret.id), "2147483647"):
        answer = search(client, typed)
        assert answer.status_code == 200
        assert "HX-Redirect" not in answer.headers
        assert secret.id not in linked_reports(answer.text)
    answer = search(client, "langning")
    assert answer.status_code == 200
    assert secret.id not in linked_reports(answer.text)


def test_words_find_the_reports_that_hold_them(client, session) -> None:  # type: ignore[no-untyped-def]
    lamp = report(client, session, category="litter", description="Lampan vid skolan är trasig.")
    bench = report(client, session, category="litter", description="Bänken vid skolan är sönder.")
    login_as(client, session, "triager")
    assert {lamp.id, bench.id} <= linked_reports(search(client, "skolan").text)
    found = linked_reports(search(client, "trasiga lampor").text)
    assert lamp.id in found
    assert bench.id not in found
    assert not {lamp.id, bench.id} & linked_reports(search(client, "lampan stationen").text)


@pytest.mark.parametrize(
    "typed",
    ['"', "*", "lampan*", "-lampan", "NEAR(lampan", "(lampan", "lampan)", "'", "\\", "%", "&!|"],
)
def test_signs_in_a_search_never_break_the_page(client, session, typed: str) -> None:  # type: ignore[no-untyped-def]
    lamp = report(client, session, category="litter", description="Lampan vid skolan är trasig.")
    login_as(client, session, "triager")
    answer = search(client, typed)
    assert answer.status_code == 200
    if fulltext.words(typed) == ["lampan"]:  # the word among signs: found
        assert lamp.id in linked_reports(answer.text)
    map_answer = client.get(f"/triage/map.geojson?q={quote(typed)}")
    assert map_answer.status_code == 200


def test_a_control_character_or_an_overlong_search_is_refused(client, session) -> None:  # type: ignore[no-untyped-def]
    login_as(client, session, "triager")
    assert client.get("/triage?q=lampan%00").status_code == 422
    assert client.get("/triage?q=%23%001").status_code == 422
    assert client.get(f"/triage?q={'a' * 201}").status_code == 422
