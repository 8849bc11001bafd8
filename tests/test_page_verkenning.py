"""Page Verkenning (issue 9): the example question through a shared link, for an analyst (exact) and for a
bestuur colleague (same view, rounded); every role opens the page; the state is written to the URL;
pseudonymous rows for case roles (audited); an empty database shows what to do.

Expected numbers are computed here with plain SQL (tests.pagetest_helpers.sql_rows) and the
distances written out in the helpers, independent of the app's query layer.
"""
from __future__ import annotations

import pytest

from tests.pagetest_helpers import (  # noqa: F401  (fixtures)
    GM,
    PAGE_TITLES,
    downloads,
    empty_app,
    exception_text,
    frames,
    institution_distances,
    new_app,
    nl_int,
    private_app,
    seeded_app,
    small_count_cells,
    sql_rows,
    sql_scalar,
    texts,
    title,
)
from ui.navigation import PAGE_FILES

#: The example question of issue 9 as a link: Huizen residents with a stay of more than three months
#: ('> 3 maanden', more than 91 days) per year of admission, split by distance band of the PI.
EXAMPLE = {"maat": "personen", "rijen": "jaar", "kolommen": "afstand", "van": "2017", "tot": "2026",
           "gemeente": GM["Huizen"], "duurklasse": "lang"}
FAR_LABELS = ("60–100 km", "> 100 km")


def _open(role: str, query: dict | None = None):
    at = new_app(role)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.switch_page(PAGE_FILES["verkenning"]).run()
    if title(at) != PAGE_TITLES["verkenning"]:
        at.switch_page(PAGE_FILES["verkenning"]).run()
    assert not at.exception, exception_text(at)
    assert title(at) == "Verkenning"
    return at


def _params(at) -> dict[str, str]:
    return {k: (v[-1] if isinstance(v, list) else v) for k, v in at.query_params.items()}


def _example_sql(url: str) -> dict[int, dict[str, int]]:
    """Distinct Huizen persons with a stay > 91 days, per admission year and distance band (beyond 60 km only)."""
    dist = institution_distances(url)
    rows = sql_rows(url, "SELECT EXTRACT(year FROM admission_date), person_key, institution_code FROM detention "
                         "WHERE gm_code = :g AND release_date - admission_date > 91 "
                         "AND admission_date BETWEEN DATE '2017-01-01' AND DATE '2026-12-31'", g=GM["Huizen"])
    out: dict[int, dict[str, set]] = {}
    for year, person, inst in rows:
        km = dist[inst]
        band = "60–100 km" if 60 < km <= 100 else "> 100 km" if km > 100 else None
        if band:
            out.setdefault(int(year), {}).setdefault(band, set()).add(person)
    return {y: {b: len(s) for b, s in v.items()} for y, v in out.items()}


def _rounded(n: int) -> str:
    return "0" if n == 0 else "<5" if n < 5 else nl_int(int((n + 2) // 5 * 5))


def test_example_question_by_link_analist_exact_bestuur_rounded(seeded_app):
    expected = _example_sql(seeded_app)
    assert expected, "the demo data should have Huizen residents placed beyond 60 km"
    analist = _open("analist", EXAMPLE)
    assert analist.selectbox(key="vk_measure").value == "personen"
    assert analist.selectbox(key="vk_cols").value == "afstand"
    assert analist.multiselect(key="vk_f_gemeente").value == [GM["Huizen"]]
    assert analist.multiselect(key="vk_f_duurklasse").value == ["lang"]
    table = frames(analist)[0]
    for year in table.index.drop("Totaal"):
        for band in FAR_LABELS:
            shown = table.loc[year, band] if band in table.columns else "0"
            assert shown == nl_int(expected.get(int(year), {}).get(band, 0)), (year, band)
    assert any("Exacte aantallen" in c for c in texts(analist, "caption"))
    link = [c.value for c in analist.code][0]
    assert "/verkenning?" in link and "gemeente=GM0406" in link and "duurklasse=lang" in link

    # the same link for a bestuur colleague: the same view, rounded
    bestuur = _open("bestuur", _params(analist))
    assert _params(bestuur) == _params(analist)
    rounded = frames(bestuur)[0]
    assert list(rounded.index) == list(table.index) and list(rounded.columns) == list(table.columns)
    for year in table.index.drop("Totaal"):
        for band in FAR_LABELS:
            if band in table.columns:
                assert rounded.loc[year, band] == _rounded(expected.get(int(year), {}).get(band, 0)), (year, band)
    assert small_count_cells(rounded) == []
    assert all(v in ("<5",) or int(v.replace(".", "")) % 5 == 0 for v in rounded.to_numpy().ravel() if v != "–")
    assert any("veelvouden van 5" in c for c in texts(bestuur, "caption"))


@pytest.mark.parametrize("role", ["bestuur", "zvh", "gemeente", "analist", "beheer"])
def test_every_role_opens_the_page(seeded_app, role):
    at = _open(role)
    assert frames(at), "a pivot table is shown"
    qp = _params(at)
    assert qp["maat"] == "detenties" and qp["rijen"] == "jaar"
    if role == "gemeente":  # a gemeente starts with its own residents, exactly
        assert qp["gemeente"] == "GM0406"
    exact = role in ("zvh", "gemeente", "analist")
    assert any("Exacte aantallen" in c for c in texts(at, "caption")) == exact
    assert any("veelvouden van 5" in c for c in texts(at, "caption"))  # the download rule is always explained
    if not exact:
        assert small_count_cells(frames(at)[0]) == []
    assert len([b for b in at.get("download_button")]) == 2


def test_widgets_write_the_state_to_the_url(seeded_app):
    at = _open("zvh")
    at.selectbox(key="vk_measure").set_value("gesprek").run()
    at.selectbox(key="vk_rows").set_value("gemeente").run()
    at.selectbox(key="vk_cols").set_value("duurklasse").run()
    at.multiselect(key="vk_f_interventie").set_value(["schuldhulp"]).run()
    assert not at.exception, exception_text(at)
    qp = _params(at)
    assert (qp["maat"], qp["rijen"], qp["kolommen"], qp["interventie"]) == ("gesprek", "gemeente", "duurklasse", "schuldhulp")
    table = frames(at)[0]
    assert "Huizen" in table.index and "> 3 maanden" in table.columns
    assert all(v == "–" or v.endswith("%") for v in table.to_numpy().ravel())
    # rows equal to the columns: the columns fall back to none
    at.selectbox(key="vk_rows").set_value("duurklasse").run()
    assert at.selectbox(key="vk_cols").value is None
    assert "kolommen" not in _params(at)


def test_garbage_link_warns_and_falls_back(seeded_app):
    at = _open("analist", {"maat": "onzin", "rijen": "jaar", "kolommen": "jaar", "gemeente": "GM9999"})
    warnings = texts(at, "warning")
    assert any("Onbekende maat 'onzin'" in w for w in warnings)
    assert any("GM9999" in w for w in warnings)
    assert at.selectbox(key="vk_measure").value == "detenties"
    assert at.selectbox(key="vk_cols").value is None


def test_case_rows_for_case_roles_only_and_audited(private_app, downloads):
    at = _open("gemeente", {"maat": "vrijlatingen", "rijen": "jaar", "van": "2021", "tot": "2021", "gemeente": GM["Huizen"]})
    n = sql_scalar(private_app, "SELECT count(*) FROM detention WHERE gm_code = 'GM0406' AND release_date BETWEEN DATE "
                                "'2021-01-01' AND DATE '2021-12-31'")
    assert frames(at)[0].loc["2021"].iloc[0] == nl_int(n)  # own gemeente: exact
    at.button(key="vk_rows_prepare").click().run()
    assert not at.exception, exception_text(at)
    assert any(f"{n} detenties (pseudoniem" in c for c in texts(at, "caption"))
    assert "verkenning_rijen.csv" in downloads
    csv = downloads["verkenning_rijen.csv"].decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("persoonssleutel;") and len(csv.splitlines()) == n + 1
    assert sql_scalar(private_app, "SELECT count(*) FROM audit_log WHERE action = 'view_cases' AND target = 'verkenning'") == 1
    for role in ("bestuur", "beheer"):
        assert not [b for b in _open(role).button if b.key == "vk_rows_prepare"], role


def test_downloads_are_rounded_for_every_role(seeded_app, downloads):
    _open("zvh", EXAMPLE)
    csv = downloads["verkenning_personen_jaar_afstand.csv"].decode("utf-8-sig")
    cells = [c for line in csv.splitlines()[1:] for c in line.split(";")[1:]]
    assert cells and all(c in ("<5", "0") or int(c.replace(".", "")) % 5 == 0 for c in cells), cells


def test_empty_database_shows_what_to_do(empty_app):
    from data_access.engine import get_engine
    from tests.pagetest_helpers import add_local_account

    v = add_local_account(empty_app, "analist-echt", "analist")
    get_engine(empty_app).dispose()
    at = new_app(v)
    at.switch_page(PAGE_FILES["verkenning"]).run()
    if title(at) != "Verkenning":
        at.switch_page(PAGE_FILES["verkenning"]).run()
    assert not at.exception, exception_text(at)
    assert any("nog geen detenties" in i for i in texts(at, "info"))
    assert not frames(at)


def test_selection_without_data_shows_an_empty_state(seeded_app):
    at = _open("zvh", {"maat": "detenties", "rijen": "jaar", "gemeente": GM["Laren"], "interventie": "gezinsondersteuning",
                       "duurklasse": "kort", "afstand": "boven100", "van": "2017", "tot": "2017"})
    assert any("Geen detenties voor deze keuze" in i for i in texts(at, "info"))
    assert not frames(at)
    assert at.code, "the link is still there"


def test_every_measure_and_a_heatmap(seeded_app):
    at = _open("bestuur", {"rijen": "kwartaal", "kolommen": "inrichting"})  # many cells: a heatmap
    assert not at.exception, exception_text(at)
    for measure in ("detenties", "personen", "vrijlatingen", "gesprek", "recidive", "duur_mediaan"):
        at.selectbox(key="vk_measure").set_value(measure).run()
        assert not at.exception, (measure, exception_text(at))
        assert frames(at) and _params(at)["maat"] == measure
        assert any(("Teller:" in i or "Telt:" in i or "Over:" in i) for i in texts(at, "info")), measure
    at.selectbox(key="vk_rows").set_value("doelgroep").run()
    at.selectbox(key="vk_cols").set_value(None).run()
    assert not at.exception, exception_text(at)
    assert "kolommen" not in _params(at)
