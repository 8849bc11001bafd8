"""Casuslijst: case rows filtered in SQL by role, pseudonymised columns, every view audited."""
from __future__ import annotations

import io
import json
import math
import re
from datetime import date

import pandas as pd

from data_access.queries import Filters
from tests.pagetest_helpers import (  # noqa: F401  (fixtures)
    GM,
    P1990,
    P2021,
    download_buttons,
    downloads,
    exception_text,
    frames,
    gm_clause,
    nl_int,
    open_page,
    private_app,
    seeded_app,
    sql_rows,
    sql_scalar,
    texts,
)

PAGE_SIZE = 50
OVERLAP = "d.admission_date <= :b AND (d.release_date IS NULL OR d.release_date >= :a)"
ZVH_COLUMNS = ["persoonssleutel", "geboortejaar", "gemeente", "inrichting", "datum_aanvang", "datum_einde",
               "verwachte_einddatum", "duur_dagen", "duurklasse"]


def _total_sql(url, f: Filters, only_now: bool = False, scope=None) -> int:
    q = f"SELECT count(*) FROM detention d WHERE {OVERLAP}" + gm_clause(f.gm_codes) + gm_clause(scope)
    if only_now:
        q += " AND d.release_date IS NULL"
    return int(sql_scalar(url, q, a=f.date_from, b=f.date_to))


def _page_rows_sql(url, f: Filters, offset: int) -> list[tuple]:
    return sql_rows(url, "SELECT substr(d.person_key, 1, 12), m.name, i.name, d.admission_date FROM detention d "
                         "JOIN municipality m ON m.gm_code = d.gm_code JOIN institution i ON i.code = d.institution_code "
                         f"WHERE {OVERLAP} {gm_clause(f.gm_codes)} ORDER BY d.admission_date DESC, d.person_key "
                         f"LIMIT {PAGE_SIZE} OFFSET {offset}", a=f.date_from, b=f.date_to)


def _status_line(at) -> str:
    return next(m for m in texts(at, "markdown") if " detenties · pagina " in m)


def _view_cases(url) -> list[tuple]:
    return sql_rows(url, "SELECT username, role, target, details FROM audit_log WHERE action = 'view_cases' ORDER BY id")


def test_zvh_first_page_matches_sql(seeded_app):
    at = open_page("casussen", "zvh", P2021)
    total = _total_sql(seeded_app, P2021)
    pages = math.ceil(total / PAGE_SIZE)
    assert _status_line(at) == f"{nl_int(total)} detenties · pagina 1 van {pages}"
    rows = frames(at)[0]
    assert list(rows.columns) == ZVH_COLUMNS
    assert len(rows) == PAGE_SIZE
    expected = _page_rows_sql(seeded_app, P2021, 0)
    shown = [(r.persoonssleutel, r.gemeente, r.inrichting, pd.Timestamp(r.datum_aanvang).date()) for r in rows.itertuples()]
    assert shown == expected
    assert all(re.fullmatch(r"[0-9a-f]{12}", k) for k in rows["persoonssleutel"])
    ended = rows.dropna(subset=["datum_einde"])
    assert all(int(r.duur_dagen) == (pd.Timestamp(r.datum_einde) - pd.Timestamp(r.datum_aanvang)).days for r in ended.itertuples())
    assert [b.label for b in download_buttons(at)] == ["Download CSV", "Download Excel"]


def test_next_page(seeded_app):
    at = open_page("casussen", "zvh", P2021)
    at.number_input[0].set_value(2).run()
    assert not at.exception, exception_text(at)
    assert " · pagina 2 van " in _status_line(at)
    rows = frames(at)[0]
    shown = [(r.persoonssleutel, r.gemeente, r.inrichting, pd.Timestamp(r.datum_aanvang).date()) for r in rows.itertuples()]
    assert shown == _page_rows_sql(seeded_app, P2021, PAGE_SIZE)


def test_only_in_detention_toggle(seeded_app):
    f = Filters(date(2026, 1, 1), date(2026, 12, 31), None)
    at = open_page("casussen", "zvh", f)
    at.toggle[0].set_value(True).run()
    total = _total_sql(seeded_app, f, only_now=True)
    assert 0 < total < _total_sql(seeded_app, f)
    assert _status_line(at).startswith(f"{nl_int(total)} detenties")
    assert frames(at)[0]["datum_einde"].isna().all()


def test_only_in_detention_for_a_closed_period_is_empty(seeded_app):
    at = open_page("casussen", "zvh", P2021)
    at.toggle[0].set_value(True).run()
    assert _total_sql(seeded_app, P2021, only_now=True) == 0
    assert any("Alleen nu in detentie" in i for i in texts(at, "info"))


def test_whole_period_count_uses_dutch_thousands(seeded_app):
    f = Filters(date(2015, 1, 1), date(2026, 12, 31), None)
    at = open_page("casussen", "zvh", f)
    total = _total_sql(seeded_app, f)
    assert total > 1000
    assert _status_line(at).startswith(f"{nl_int(total)} detenties")
    assert "." in _status_line(at).split()[0]


def test_every_view_is_audited(private_app):
    url = private_app
    before = _view_cases(url)
    at = open_page("casussen", "zvh", P2021)
    after = _view_cases(url)
    assert len(after) == len(before) + 1
    username, role, target, details = after[-1]
    assert (username, role, target) == ("zvh", "zvh", "casuslijst")
    d = json.loads(details)
    assert (d["date_from"], d["date_to"], d["rows"], d["offset"]) == ("2021-01-01", "2021-12-31", PAGE_SIZE, 0)
    at.toggle[0].set_value(True).run()
    assert len(_view_cases(url)) == len(before) + 2
    assert json.loads(_view_cases(url)[-1][3])["only_in_detention"] is True


def test_aggregate_pages_are_not_audited_as_case_views(private_app):
    before = len(_view_cases(private_app))
    open_page("instroom", "zvh", P2021)
    assert len(_view_cases(private_app)) == before


def test_gemeente_sees_only_own_gemeente(seeded_app):
    at = open_page("casussen", "gemeente", P2021)
    rows = frames(at)[0]
    assert set(rows["gemeente"]) == {"Huizen"}
    total = _total_sql(seeded_app, P2021, scope=(GM["Huizen"],))
    assert _status_line(at).startswith(f"{nl_int(total)} detenties")
    assert any("alleen uw eigen gemeente" in c for c in texts(at, "caption"))


def test_gemeente_filter_for_other_gemeente_shows_no_other_rows(private_app):
    """Session filters naming another gemeente cannot widen a gemeente's case list: the sidebar
    turns them into its own gemeente ('own'), and the query is scoped to it anyway."""
    f = Filters(date(2021, 1, 1), date(2021, 12, 31), (GM["Hilversum"],))
    at = open_page("casussen", "gemeente", f)
    assert not at.exception, exception_text(at)
    assert at.sidebar.radio[0].value == "own"
    assert at.session_state["filters"].gm_codes == (GM["Huizen"],)
    rows = frames(at)[0]
    assert set(rows["gemeente"]) == {"Huizen"}
    assert "Hilversum" not in rows.astype(str).to_numpy().ravel().tolist()
    total = _total_sql(private_app, P2021, scope=(GM["Huizen"],))
    assert _status_line(at).startswith(f"{nl_int(total)} detenties")
    d = json.loads(_view_cases(private_app)[-1][3])
    assert d["scope"] == [GM["Huizen"]] and d["gemeenten"] == [GM["Huizen"]] and d["rows"] == len(rows) == min(total, PAGE_SIZE)


def test_gemeente_region_scope_still_lists_only_own_cases(private_app):
    """'Hele regio' widens the aggregates, never the case rows."""
    at = open_page("casussen", "gemeente", P2021)
    assert at.sidebar.radio[0].value == "region"
    rows = frames(at)[0]
    assert set(rows["gemeente"]) == {"Huizen"}
    total = _total_sql(private_app, P2021, scope=(GM["Huizen"],))
    assert _status_line(at).startswith(f"{nl_int(total)} detenties")
    username, role, _, details = _view_cases(private_app)[-1]
    d = json.loads(details)
    assert (username, role) == ("gemeente-huizen", "gemeente")
    assert d["scope"] == [GM["Huizen"]] and d["gemeenten"] is None


def test_analist_gets_pseudonymised_columns(seeded_app):
    at = open_page("casussen", "analist", P2021)
    rows = frames(at)[0]
    assert "analysesleutel" in rows.columns and "geboortejaar_klasse" in rows.columns
    assert "persoonssleutel" not in rows.columns and "geboortejaar" not in rows.columns
    assert all(re.fullmatch(r"A-[0-9a-f]{12}", k) for k in rows["analysesleutel"])
    assert all(re.fullmatch(r"\d{4}-\d{4}", c) and int(c[:4]) % 5 == 0 for c in rows["geboortejaar_klasse"] if c)
    zvh_keys = set(frames(open_page("casussen", "zvh", P2021))[0]["persoonssleutel"])
    assert not {k[2:] for k in rows["analysesleutel"]} & zvh_keys  # not joinable with the case workers' keys


def test_no_source_identifiers_in_download(seeded_app, downloads):
    at = open_page("casussen", "zvh", P2021)
    csv = pd.read_csv(io.BytesIO(downloads["casuslijst_pagina_1.csv"]), sep=";", encoding="utf-8-sig", dtype=str)
    assert list(csv.columns) == ZVH_COLUMNS
    assert len(csv) == len(frames(at)[0])
    assert not any(c in csv.columns for c in ("bron_id", "naam", "bsn"))


def test_period_without_data_shows_empty_state(seeded_app):
    at = open_page("casussen", "zvh", P1990)
    assert not at.exception, exception_text(at)
    assert texts(at, "info") == ["Geen detenties voor deze selectie. Verruim de periode of zet 'Alleen nu in detentie' uit."]
    assert len(at.dataframe) == 0


def test_narrowing_the_filter_after_paging_does_not_crash(seeded_app):
    at = open_page("casussen", "zvh", P2021)
    at.number_input[0].set_value(5).run()
    assert " · pagina 5 van 5" in _status_line(at)
    at.sidebar.multiselect[0].set_value([GM["Huizen"]]).run()
    assert not at.exception, exception_text(at)
    total = _total_sql(seeded_app, Filters(date(2021, 1, 1), date(2021, 12, 31), (GM["Huizen"],)))
    assert _status_line(at) == f"{total} detenties · pagina 1 van 1"
    assert len(frames(at)[0]) == total
