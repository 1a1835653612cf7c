"""Previous and next on the report page follow the queue's filter and sort it was opened from;
"back to the queue" keeps the filter, and so does a save."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import quote

from app import clock
from app.models import Priority, Status
from tests.factories import CENTRUM, csrf_token, insert_observation, login_as


def nav(page: str) -> tuple[str | None, str | None, str]:
    """The previous link, the next link and the queue link of a report page."""
    prev = re.search(r'<a href="([^"]+)" rel="prev">', page)
    nxt = re.search(r'<a href="([^"]+)" rel="next">', page)
    back = re.search(r'<a href="([^"]+)">Back to the queue</a>', page)
    assert back is not None
    return (
        prev.group(1).replace("&amp;", "&") if prev else None,
        nxt.group(1).replace("&amp;", "&") if nxt else None,
        back.group(1).replace("&amp;", "&"),
    )


def test_previous_and_next_follow_the_filter_and_its_order(client, session):
    now = clock.now()

    def made(days: int, category: str = "dark-spot", **fields):  # type: ignore[no-untyped-def]
        return insert_observation(
            session,
            lat=CENTRUM[0],
            lon=CENTRUM[1],
            category=category,
            created_at=now - timedelta(days=days),
            **fields,
        ).id

    a, v, b, c = made(4), made(3, "vegetation"), made(2), made(1)
    urgent = made(5, priority=Priority.urgent)
    closed = made(6, status=Status.fixed)
    login_as(client, session, "triager")

    # Opened without a filter: the queue's default view (open reports, oldest first).
    assert nav(client.get(f"/triage/{b}").text) == (f"/triage/{v}", f"/triage/{c}", "/triage")
    assert nav(client.get(f"/triage/{urgent}").text)[0] is None  # the first has no previous

    # Lamps only, newest first: c, b, a, urgent.
    query = "category=dark-spot&sort=newest"
    keep = f"?from={quote(query)}"
    page = client.get(f"/triage/{b}{keep}").text
    assert nav(page) == (f"/triage/{c}{keep}", f"/triage/{a}{keep}", f"/triage?{query}")
    assert nav(client.get(f"/triage/{c}{keep}").text)[0] is None
    assert nav(client.get(f"/triage/{urgent}{keep}").text)[1] is None

    # Oldest first: urgent, a, b, c; by priority, the urgent one leads and the rest by age.
    query = "category=dark-spot&sort=oldest"
    keep = f"?from={quote(query)}"
    assert nav(client.get(f"/triage/{b}{keep}").text)[:2] == (
        f"/triage/{a}{keep}",
        f"/triage/{c}{keep}",
    )
    query = "sort=priority&status=new"
    keep = f"?from={quote(query)}"
    assert nav(client.get(f"/triage/{a}{keep}").text)[:2] == (
        f"/triage/{urgent}{keep}",
        f"/triage/{v}{keep}",
    )

    # A report the filter does not hold (another category; closed) still steps to the reports
    # around its place in the order: after a save that closes it, "next" goes on.
    query = "category=vegetation"
    assert nav(client.get(f"/triage/{b}?from={quote(query)}").text) == (
        f"/triage/{v}?from={quote(query)}",
        None,
        f"/triage?{query}",
    )
    assert nav(client.get(f"/triage/{closed}").text)[:2] == (None, f"/triage/{urgent}")

    # A filter the queue would refuse falls back to the default view.
    assert nav(client.get(f"/triage/{b}?from={quote('status=bogus')}").text) == (
        f"/triage/{v}",
        f"/triage/{c}",
        "/triage",
    )

    # A save comes back to the same place in the same filter.
    query = "category=dark-spot&sort=newest"
    answer = client.post(
        f"/triage/{b}/update",
        data={"to": "triaged", "from": query, "csrf_token": csrf_token(client)},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/triage/{b}?from={quote(query)}&notice=saved"
