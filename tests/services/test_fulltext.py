"""Search by words: Swedish endings, the address, the notes of the history, every word at once,
whatever a person types, and never a report the searcher may not see. On both engines, over
the index the database keeps in step by itself."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from app.models import Category, EventKind, Observation, Status, Unit
from app.services import fulltext, lifecycle, queue, visibility
from tests.factories import CENTRUM, insert_observation, make_staff

LAT, LON = CENTRUM


def report(session: Session, description: str, **fields) -> Observation:  # type: ignore[no-untyped-def]
    """A report in a category whose names hold none of the words searched below."""
    fields.setdefault("category", "litter")
    return insert_observation(session, lat=LAT, lon=LON, description=description, **fields)


def found(session: Session, words: str, user=None) -> set[int]:  # type: ignore[no-untyped-def]
    """The ids the search finds, as the queue composes it (with who may see what)."""
    where = [fulltext.clause(words)]
    if user is not None:
        where.append(visibility.clause(user))
    return set(session.exec(select(Observation.id).where(*where)).all())


def unit_id(session: Session, slug: str) -> int:
    return session.exec(select(Unit.id).where(Unit.slug == slug)).one()  # type: ignore[return-value]


# --- what a query word is looked up as ---------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "looked_up"),
    [
        ("lampa", ["lamp"]),
        ("Lampan", ["lamp"]),  # Snowball keeps "-an": cut here
        ("lamporna", ["lamp"]),
        ("trasig", ["tras"]),
        ("TRASIGA", ["tras"]),
        ("barnet", ["barn"]),  # Snowball keeps "-et" here: cut
        ("tunneln", ["tunnel"]),  # and "-n"
        ("huset", ["hus"]),
        ("ban", ["ban"]),  # too short to lose an ending
        ('"lampa" * NEAR(trasig) -x', ["lamp", "near", "tras", "x"]),
        ("lampa lampan", ["lamp"]),
        ("", []),
        ('"*()^:-', []),
    ],
)
def test_what_a_word_is_looked_up_as(typed: str, looked_up: list[str]) -> None:
    assert fulltext.prefixes(typed) == looked_up


def test_a_search_box_reads_at_most_ten_words() -> None:
    assert len(fulltext.words(" ".join(f"w{i}" for i in range(30)))) == fulltext.MAX_WORDS


@pytest.mark.parametrize(
    ("typed", "number"),
    [("123", 123), ("#123", 123), ("  # 7 ", 7), ("12a", None), ("lampa 12", None), ("0", None)],
)
def test_a_report_number_is_a_number_or_hash_number(typed: str, number: int | None) -> None:
    assert fulltext.number_in(typed) == number


def test_a_number_too_large_for_an_id_is_no_report_number() -> None:
    assert fulltext.number_in(str(2**31)) is None
    assert fulltext.number_in("99999999999999999999") is None


# --- found in the database ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "searched"),
    [
        ("Lampan vid tunneln lyser inte.", "lampa"),
        ("En lampa saknas vid tunneln.", "lampan"),
        ("Två lampor saknas vid tunneln.", "lampan"),
        ("Skylten är trasig.", "trasiga"),
        ("Två trasiga bänkar vid tunneln.", "trasig"),
        ("Huset står tomt.", "hus"),
        ("Mörkt i en tunnel.", "tunneln"),
        ("Barnen går förbi staketet.", "staket"),
    ],
)
def test_swedish_endings_find_each_other(session: Session, written: str, searched: str) -> None:
    wanted = report(session, written)
    other = report(session, "Skräp på marken vid stationen.")
    assert found(session, searched) == {wanted.id}
    assert other.id in found(session, "skräpet")


def test_a_partial_word_finds_the_whole_one(session: Session) -> None:
    wanted = report(session, "Belysningsstolpen lutar.")
    assert found(session, "belysningsst") == {wanted.id}


def test_every_word_must_be_found(session: Session) -> None:
    both = report(session, "Lampan är trasig vid skolan.")
    lamp = report(session, "Lampan lyser svagt vid skolan.")
    broken = report(session, "Bänken är trasig vid skolan.")
    assert found(session, "lampa trasig") == {both.id}
    assert found(session, "skolan") == {both.id, lamp.id, broken.id}
    assert found(session, "lampan skolan stationen") == set()


def test_two_searches_in_a_row_each_get_their_own_words(session: Session) -> None:
    """The compiled statement is cached: the words must not be."""
    lamp = report(session, "Lampan är släckt.")
    bench = report(session, "Bänken är sönder.")
    for _ in range(3):
        assert found(session, "lampan") == {lamp.id}
        assert found(session, "bänken") == {bench.id}


def test_the_address_is_found_once_the_geocoder_sets_it(session: Session) -> None:
    obs = report(session, "Mörkt vid cykelstället.")
    assert found(session, "Drottninggatan") == set()
    obs.address = "Drottninggatan 12, 961 32 Boden"  # as the geocoder sets it: through the ORM
    session.add(obs)
    session.commit()
    assert found(session, "Drottninggatan 12") == {obs.id}
    assert found(session, "drottninggatan") == {obs.id}
    assert found(session, "961") == {obs.id}
    obs.address = "Storgatan 3"
    session.add(obs)
    session.commit()
    assert found(session, "drottninggatan") == set()
    assert found(session, "storgatan") == {obs.id}


def test_a_public_note_and_an_internal_note_are_found(session: Session) -> None:
    obs = report(session, "Mörkt vid cykelstället.")
    triager = make_staff(session, "triager")
    assert found(session, "kabelfel") == set()
    lifecycle.transition(
        session=session,
        obs=obs,
        to=Status.triaged,
        actor=lifecycle.Actor.staff(triager),
        note="Vi skickar en elektriker.",
        internal_note="Kabelfelet sitter i skåpet vid bron.",
    )
    assert found(session, "kabelfel") == {obs.id}
    assert found(session, "elektrikern") == {obs.id}
    # A note of its own (no move), written by the one history writer.
    lifecycle.record(
        session=session,
        obs=obs,
        kind=EventKind.note,
        actor=lifecycle.Actor.staff(triager),
        internal_note="Beställt nytt armatur.",
    )
    session.commit()
    assert found(session, "armaturen kabelfel mörkt") == {obs.id}


def test_the_category_name_is_found_and_follows_a_rename(session: Session) -> None:
    obs = report(session, "Det ligger glas överallt.", category="vandalism")
    assert obs.id in found(session, "skadegörelse")
    category = session.exec(select(Category).where(Category.slug == "vandalism")).one()
    category.name_sv = "Förstörelse"
    session.add(category)
    session.commit()
    assert obs.id in found(session, "förstörelsen")
    assert obs.id not in found(session, "skadegörelse")


@pytest.mark.parametrize(
    "typed",
    [
        '"',
        '"lampan',
        "lampan*",
        "*",
        "lamp*an",
        "-lampan",
        "NEAR(lampan",
        "NEAR(lampan, 5)",
        "(lampan",
        "lampan)",
        "lampan AND",
        "OR lampan",
        "NOT",
        "lampan:*",
        "lampan & !",
        "'lampan'",
        "lampan^",
        "body:lampan",
        "{lampan}",
        "\\",
        "²",
        "e\u0301",
        "🔦 lampan",
        "%_",
    ],
)
def test_what_a_person_types_is_never_query_syntax(session: Session, typed: str) -> None:
    obs = report(session, "Lampan är släckt.")
    hits = found(session, typed)  # never an error from either engine
    words = fulltext.words(typed)
    if words == ["lampan"]:  # the word itself, among the signs
        assert hits == {obs.id}
    assert hits <= {obs.id}


def test_a_word_of_the_operators_is_a_word(session: Session) -> None:
    near = report(session, "Near the bridge it is dark.")
    assert found(session, "NEAR") == {near.id}
    assert found(session, "near OR") == set()  # "or" is a word too, and no report has it


def test_a_private_category_is_found_only_by_those_who_may_see_it(session: Session) -> None:
    """A drug-dealing report (private, the police's): the parks' staff never find it, by words
    or by its number; the police's staff and the triage desk do."""
    secret = report(
        session,
        "Langning bakom fritidsgården varje kväll.",
        category="drug-dealing",
        unit_id=unit_id(session, "police"),
    )
    parks = make_staff(session, "unit_worker", unit="parks")
    police = make_staff(session, "unit_worker", unit="police")
    triager = make_staff(session, "triager")
    walk_leader = make_staff(session, "walk_leader")
    assert found(session, "fritidsgården langning", parks) == set()
    assert found(session, "fritidsgården langning", walk_leader) == set()
    assert found(session, "fritidsgården langning", police) == {secret.id}
    assert found(session, "fritidsgården langning", triager) == {secret.id}
    for who, opens in (
        (parks, None),
        (walk_leader, None),
        (police, secret.id),
        (triager, secret.id),
    ):
        assert fulltext.jump_target(session=session, user=who, text=f"#{secret.id}") == opens


def test_the_queue_composes_the_search_with_its_filters(session: Session, settings) -> None:  # type: ignore[no-untyped-def]
    lighting = unit_id(session, "street-lighting")
    mine = report(session, "Lampan vid skolan är trasig.", unit_id=lighting)
    report(session, "Lampan vid skolan är trasig.", unit_id=unit_id(session, "parks"))
    report(session, "Lampan vid skolan är trasig.", unit_id=lighting, status=Status.fixed)
    report(session, "Bänken vid skolan.", unit_id=lighting)
    worker = make_staff(session, "unit_worker", unit="street-lighting")
    flt = queue.QueueFilter(text="trasiga lampor")
    page = queue.search(session=session, user=worker, flt=flt, settings=settings)
    assert [row.id for row in page.rows] == [mine.id]
    assert page.total == 1
    # The counts are the filter's own (open reports): the fixed one is not counted.
    assert page.counts == {Status.new: 1}


def test_a_deleted_report_leaves_nothing_behind(session: Session) -> None:
    """SQLite hands a deleted last id to the next row: its old words must not come with it."""
    gone = report(session, "Ett vrak av en moped i diket.")
    gone_id = gone.id
    session.delete(gone)
    session.commit()
    assert found(session, "moped") == set()
    newer = report(session, "Skräp vid stationen.")
    assert found(session, "moped") == set()
    assert found(session, "skräp") == {newer.id}
    assert newer.id >= gone_id


def test_a_merged_report_is_found_among_the_duplicates(session: Session) -> None:
    """Merging closes a report as a duplicate; its words still find it (the queue's status
    filter decides whether duplicates are shown), and the original is not found by them."""
    original = report(session, "Lampan vid tunneln.")
    copy = report(session, "Mopeden står i tunneln igen.")
    triager = make_staff(session, "triager")
    lifecycle.transition(
        session=session,
        obs=copy,
        to=Status.duplicate,
        actor=lifecycle.Actor.staff(triager),
        duplicate_of=original,
    )
    assert found(session, "mopeden") == {copy.id}
    assert copy.status == Status.duplicate


def test_the_database_keeps_the_index_by_triggers_that_exist_at_head(session: Session) -> None:
    """SQLite drops a table's triggers when a batch migration rebuilds the table: a later
    migration that forgets to make them again fails here."""
    names = {
        "observation_search_ai",
        "observation_search_au",
        "observation_event_search_ai",
        "observation_event_search_au",
        "observation_event_search_ad",
        "category_search_au",
    }
    if session.get_bind().dialect.name == "postgresql":
        query = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
    else:
        names.add("observation_search_ad")
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    assert names <= set(session.exec(text(query)).scalars().all())  # type: ignore[call-overload]
