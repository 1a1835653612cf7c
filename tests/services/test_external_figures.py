"""External figures: entered by hand or imported as CSV (comma or semicolon, BOM or not,
decimal comma), every row or none, each bad row refused with its line, and a new figure for the
same indicator, year and zone replacing the old one."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from app.models import ExternalFigure, Zone
from app.services import csvfile, external_figures
from tests.factories import count, make_staff

CRIMES = "police_reported_crimes"
SCB = "scb_safety_index"


def stored(session: Session) -> dict[tuple[str, int, str | None], tuple[float, str]]:
    """Every figure by (indicator, year, zone slug) -> (value, source)."""
    slugs = {z.id: z.slug for z in session.exec(select(Zone)).all()}
    session.expire_all()
    return {
        (f.indicator, f.year, slugs.get(f.zone_id) if f.zone_id else None): (f.value, f.source)
        for f in session.exec(select(ExternalFigure)).all()
    }


def test_a_good_file_with_commas_is_imported_whole(session: Session) -> None:
    user = make_staff(session, "coordinator")
    data = (
        "indicator,year,zone,value,source\r\n"
        f"{CRIMES},2026,centrum,412,Polisen öppen statistik\r\n"
        f"{CRIMES},2026,,1893,Polisen öppen statistik\r\n"
        f'{SCB},2026,,"3,4","SCB medborgarundersökning, hösten 2026"\r\n'
    ).encode()
    report = external_figures.import_csv(session=session, data=data, user_id=user.id)
    assert report.ok, report.errors
    assert (report.created, report.replaced) == (3, 0)
    assert stored(session) == {
        (CRIMES, 2026, "centrum"): (412.0, "Polisen öppen statistik"),
        (CRIMES, 2026, None): (1893.0, "Polisen öppen statistik"),
        (SCB, 2026, None): (3.4, "SCB medborgarundersökning, hösten 2026"),
    }
    figure = session.exec(select(ExternalFigure).where(ExternalFigure.zone_id.is_not(None))).one()  # type: ignore[union-attr]
    assert figure.entered_by_id == user.id
    assert figure.entered_at is not None


def test_a_swedish_excel_file_with_semicolons_a_bom_and_decimal_commas(session: Session) -> None:
    """What Excel saves as "CSV UTF-8" where the decimal sign is a comma; columns in another
    order and in capitals, an empty line, and a school survey named by its Swedish or English
    name are fine."""
    data = (
        "\ufeffYear;Indicator;Value;Zone;Source\n"
        "2025;scb_safety_index;3,25;;SCB 2025\n"
        "\n"
        "2025;police_reported_crimes;1 204;heden;Polisen\n"
        "2025;School drug survey;7,5;;CAN skolundersökning\n"
        "2024;Skolans drogvaneundersökning;8 %;;CAN\n"
    ).encode()
    report = external_figures.import_csv(session=session, data=data, user_id=None)
    assert report.ok, report.errors
    assert stored(session) == {
        (SCB, 2025, None): (3.25, "SCB 2025"),
        (CRIMES, 2025, "heden"): (1204.0, "Polisen"),
        # A share is typed in percent and stored as a fraction, as the indicators count.
        ("school_drug_survey", 2025, None): (0.075, "CAN skolundersökning"),
        ("school_drug_survey", 2024, None): (0.08, "CAN"),
    }


def test_bad_rows_are_refused_by_line_and_nothing_is_saved(session: Session) -> None:
    data = (
        "indicator,year,zone,value,source\n"
        f"{CRIMES},2026,centrum,412,Polisen\n"  # line 2: good, but not saved either
        "reports,2026,,10,Our own\n"  # 3: not an external indicator
        f"{CRIMES},26,,10,Polisen\n"  # 4: a year in two digits
        f"{CRIMES},2026,atlantis,10,Polisen\n"  # 5: no such zone
        f"{CRIMES},2026,heden,many,Polisen\n"  # 6: not a number
        f"{CRIMES},2026,heden,10,\n"  # 7: no source
        f"{CRIMES},2026,centrum,413,Polisen igen\n"  # 8: the same figure as line 2
        f"{CRIMES},2026,heden,10\n"  # 9: a cell short
        f"{CRIMES},2026,heden,10,Polisen\x00\n"  # 10: a control character
    ).encode()
    report = external_figures.import_csv(session=session, data=data, user_id=None)
    assert not report.ok
    by_line = {}
    for error in report.errors:
        by_line.setdefault(error.line, []).append(error.message)
    assert sorted(by_line) == [3, 4, 5, 6, 7, 8, 9, 10]
    assert "indicator" in by_line[3][0] and "police_reported_crimes" in by_line[3][0]
    assert "year" in by_line[4][0]
    assert "atlantis" in by_line[5][0]
    assert "many" in by_line[6][0]
    assert "source" in by_line[7][0]
    assert "repeats line 2" in by_line[8][0]
    assert "5" in by_line[9][0] and "4" in by_line[9][0]
    assert "source" in by_line[10][0] and "not allowed" in by_line[10][0]
    assert count(session, ExternalFigure) == 0


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        ("indikator;år;värde\n1;2;3\n".encode(), "indicator,year,zone,value,source"),
        (b"indicator,year,zone,value,source\n", "no figures"),
        ("indicator,year,zone,value,source\nsvårt,2026,,1,å\n".encode("latin-1"), "UTF-8"),
    ],
)
def test_a_file_that_is_not_a_figures_file_is_refused_at_line_1(
    session: Session, data: bytes, reason: str
) -> None:
    report = external_figures.import_csv(session=session, data=data, user_id=None)
    assert [e.line for e in report.errors] == [1]
    assert reason in report.errors[0].message
    assert count(session, ExternalFigure) == 0


def test_a_new_figure_for_the_same_indicator_year_and_zone_replaces_the_old(
    session: Session,
) -> None:
    first = f"indicator,year,zone,value,source\n{CRIMES},2026,centrum,412,Polisen preliminär\n"
    assert external_figures.import_csv(session=session, data=first.encode(), user_id=None).ok
    again = (
        "indicator,year,zone,value,source\n"
        f"{CRIMES},2026,centrum,398,Polisen slutlig\n"  # replaces
        f"{CRIMES},2026,,1893,Polisen slutlig\n"  # another zone (the whole municipality): new
        f"{CRIMES},2025,centrum,380,Polisen\n"  # another year: new
    )
    report = external_figures.import_csv(session=session, data=again.encode(), user_id=None)
    assert (report.created, report.replaced) == (2, 1)
    assert stored(session) == {
        (CRIMES, 2026, "centrum"): (398.0, "Polisen slutlig"),
        (CRIMES, 2026, None): (1893.0, "Polisen slutlig"),
        (CRIMES, 2025, "centrum"): (380.0, "Polisen"),
    }
    # By hand, too: the form's figure replaces the imported one.
    external_figures.add(
        session=session,
        raw={
            "indicator": CRIMES,
            "year": "2026",
            "zone": "",
            "value": "1 901,5",
            "source": "Rättat",
        },
        user_id=None,
    )
    assert stored(session)[(CRIMES, 2026, None)] == (1901.5, "Rättat")
    assert count(session, ExternalFigure) == 3


def test_the_form_says_what_is_wrong_with_each_field(session: Session) -> None:
    with pytest.raises(external_figures.Invalid) as refused:
        external_figures.add(
            session=session,
            raw={"indicator": "", "year": "1999", "zone": "nowhere", "value": "x", "source": " "},
            user_id=None,
        )
    assert set(refused.value.errors) == {"indicator", "year", "zone", "value", "source"}
    assert count(session, ExternalFigure) == 0


def test_the_export_imports_back_unchanged(session: Session) -> None:
    data = (
        "indicator,year,zone,value,source\n"
        f"{CRIMES},2026,centrum,-3,=Polisen\n"  # a source that starts like a formula
        f"{SCB},2026,,3.4,SCB\n"
    )
    assert external_figures.import_csv(session=session, data=data.encode(), user_id=None).ok
    before = stored(session)
    exported = external_figures.export_csv(session=session, year=2026)
    assert "'=Polisen" in exported  # formula-safe through csvfile
    assert exported.startswith(csvfile.BOM + "indicator,year,zone,value,source")
    report = external_figures.import_csv(session=session, data=exported.encode(), user_id=None)
    assert report.ok, report.errors
    assert (report.created, report.replaced) == (0, 2)
    assert stored(session) == before


def test_beside_ours_a_zone_without_its_own_figure_shows_the_municipality(
    session: Session,
) -> None:
    data = (
        "indicator,year,zone,value,source\n"
        f"{CRIMES},2026,centrum,412,Polisen\n"
        f"{CRIMES},2026,,1893,Polisen\n"
        f"{SCB},2026,,3.4,SCB\n"
        f"{SCB},2025,heden,3.1,SCB\n"
    )
    assert external_figures.import_csv(session=session, data=data.encode(), user_id=None).ok
    centrum = session.exec(select(Zone).where(Zone.slug == "centrum")).one()
    heden = session.exec(select(Zone).where(Zone.slug == "heden")).one()
    shown = external_figures.beside(session=session, year=2026, zone_id=centrum.id)
    assert [(r.figure.indicator, r.figure.value, r.zone_name) for r in shown] == [
        (CRIMES, 412.0, "Centrum"),
        (SCB, 3.4, None),
    ]
    shown = external_figures.beside(session=session, year=2026, zone_id=heden.id)
    assert [(r.figure.indicator, r.figure.value, r.zone_name) for r in shown] == [
        (CRIMES, 1893.0, None),
        (SCB, 3.4, None),
    ]
    assert external_figures.beside(session=session, year=2024, zone_id=None) == []
