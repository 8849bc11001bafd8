"""Shared helpers for the page tests (``tests/test_page_*.py``): run the Streamlit app with AppTest.

Usage in a test module::

    from tests.pagetest_helpers import open_page, seeded_app  # seeded_app is a fixture

    def test_x(seeded_app):
        at = open_page("instroom", "zvh", P2021)

Fixtures (import them into the test module):

* ``seeded_app``  -- points the app at the shared seeded database (read-only use; the app may add
  audit lines) and applies :func:`_navigation_mode` (see below). Returns the database URL.
* ``private_app`` -- a private copy of the seeded template (for tests that write or count audit
  lines). Returns the URL.
* ``empty_app``   -- a database initialised with ``sample=False`` (no detentions, no accounts).
* ``downloads``   -- a dict file name -> bytes of every ``st.download_button`` payload rendered
  while the test runs (AppTest keeps the media files in a storage it throws away after a run).

Expected values are computed here with plain SQL (:func:`sql_scalar`, :func:`sql_rows`) on the
database, independent of the app's query layer.

Why ``_navigation_mode``: the project has a ``pages/`` folder *and* uses ``st.navigation`` with
``url_path`` equal to the file names. Streamlit's AppTest (1.67) resets
``PagesManager.uses_pages_directory`` before every run, so every run after the first falls back to
the old "pages directory" mode and executes ``pages/<name>.py`` on its own, without ``app.py``
(no sidebar filters, no login check, no role-based navigation). A real server sets the flag to
False once ``st.navigation`` has run. The fixture restores that behaviour so each ``at.run()``
executes ``app.py`` like a browser rerun does. Tests that deliberately exercise the fallback
(a page script run without ``app.py``) do not use it.
"""
from __future__ import annotations

import math
import shutil
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1 import app_test as _app_test_module

from data_access import users
from data_access.engine import get_engine
from data_access.policy import Viewer
from data_access.queries import Filters
from data_access.setup import init_database, purge_demo

ROOT = Path(__file__).resolve().parent.parent
APP_PATH = str(ROOT / "app.py")
TODAY = date(2026, 11, 29)  # same as tests/conftest.py
TIMEOUT = 60

#: The shared filter period of most tests: calendar year 2021, whole region.
P2021 = Filters(date(2021, 1, 1), date(2021, 12, 31), None)
#: A period without any data.
P1990 = Filters(date(1990, 1, 1), date(1990, 12, 31), None)

#: Default origin of travel distances (zvh_origin.csv), typed in here on purpose.
ORIGIN_LAT, ORIGIN_LON = 52.2257, 5.1813

#: page key -> page file (relative to app.py) from the app; the visible titles are written out here on purpose.
from ui.navigation import PAGE_FILES  # noqa: E402

PAGE_TITLES = {
    "overzicht": "Overzicht",
    "kpibord": "KPI-bord",
    "instroom": "Instroom en uitstroom",
    "detentieduur": "Detentieduur",
    "bereikbaarheid": "Bereikbaarheid",
    "klantreis": "Klantreis",
    "basisvoorwaarden": "Basisvoorwaarden",
    "eigenaarschap": "Eigenaarschap",
    "recidive": "Recidive",
    "interventies": "Interventies",
    "risicomodel": "Risicomodel",
    "capaciteit": "Capaciteit (wat als)",
    "bezoekplanning": "Bezoekplanning",
    "verkenning": "Verkenning",
    "gepubliceerd": "Gepubliceerde cijfers",
    "casussen": "Casuslijst",
    "import": "Gegevens importeren",
    "datakwaliteit": "Datakwaliteit",
    "audit": "Auditlog",
    "gebruikers": "Gebruikers",
}

AGGREGATE = ("overzicht", "kpibord", "instroom", "detentieduur", "bereikbaarheid", "klantreis", "basisvoorwaarden", "eigenaarschap", "recidive",
             "interventies", "risicomodel", "capaciteit", "verkenning", "gepubliceerd")
#: The page list per role, written out independently of data_access.policy.
ROLE_PAGES = {
    "bestuur": AGGREGATE,
    "zvh": AGGREGATE[:-2] + ("bezoekplanning", "verkenning", "gepubliceerd", "casussen", "import", "datakwaliteit"),
    "gemeente": AGGREGATE + ("casussen",),
    "analist": AGGREGATE + ("casussen",),
    "beheer": AGGREGATE + ("import", "datakwaliteit", "audit", "gebruikers"),
}

VIEWERS = {
    # The demo accounts of the seeded database: app.py re-checks the account on every run
    # (users.still_valid), so a made-up username or a role/gemeente that differs from the
    # account's is logged out before any page runs.
    "bestuur": Viewer("bestuur", "bestuur"),
    "zvh": Viewer("zvh", "zvh"),
    "gemeente": Viewer("gemeente-huizen", "gemeente", "GM0406"),
    "analist": Viewer("analist", "analist"),
    "beheer": Viewer("beheer", "beheer"),
}

GM = {"Hilversum": "GM0402", "Huizen": "GM0406", "Laren": "GM0417", "Blaricum": "GM0376"}

#: Password of the local (non-demo) accounts the tests create (at least 10 characters).
LOCAL_PASSWORD = "een-lang-wachtwoord"
#: The local zvh account of :func:`purged_app` (demo accounts are gone after purge-demo).
ZVH_ECHT = Viewer("zvh-echt", "zvh")


# --------------------------------------------------------------------------- fixtures


class _NavigationAwarePagesManager(PagesManager):
    """PagesManager that behaves as on a server where ``st.navigation`` already ran."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        PagesManager.uses_pages_directory = False


def _navigation_mode(monkeypatch) -> None:
    monkeypatch.setattr(_app_test_module, "PagesManager", _NavigationAwarePagesManager)


def _point_app_at(monkeypatch, url: str) -> None:
    monkeypatch.setenv("TKM_DATABASE_URL", url)
    # Keep the shipped defaults whatever the developer's shell says.
    for name in ("TKM_DISCLOSURE_THRESHOLD", "TKM_MIN_DENOMINATOR", "TKM_SESSION_TIMEOUT_MIN"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def seeded_app(seeded_url, monkeypatch) -> str:
    """The app on the shared seeded database (conftest ``seeded_url``)."""
    _point_app_at(monkeypatch, seeded_url)
    _navigation_mode(monkeypatch)
    return seeded_url


@pytest.fixture
def private_app(seeded_template, tmp_path, monkeypatch) -> str:
    """The app on a private copy of the seeded template (tests that write)."""
    path = tmp_path / "private.duckdb"
    shutil.copy(seeded_template, path)
    url = f"duckdb:///{path}"
    _point_app_at(monkeypatch, url)
    _navigation_mode(monkeypatch)
    return url


@pytest.fixture
def empty_app(tmp_path, monkeypatch) -> str:
    """The app on a database with reference data and Tabel 1 but no detentions and no accounts."""
    url = f"duckdb:///{tmp_path / 'empty.duckdb'}"
    init_database(get_engine(url), sample=False)
    _point_app_at(monkeypatch, url)
    _navigation_mode(monkeypatch)
    return url


@pytest.fixture
def purged_app(private_app) -> str:
    """A private seeded copy after ``purge-demo`` (no synthetic data, no demo accounts: 'empty'
    data origin, so real imports are allowed) with one local account, :data:`ZVH_ECHT`."""
    eng = get_engine(private_app)
    purge_demo(eng, username="test")
    users.add_user(eng, ZVH_ECHT.username, LOCAL_PASSWORD, ZVH_ECHT.role)
    return private_app


def add_local_account(url: str, username: str, role: str, gm_code: str | None = None) -> Viewer:
    """Create a local (non-demo) account and return its viewer (for databases without demo accounts)."""
    users.add_user(get_engine(url), username, LOCAL_PASSWORD, role, gm_code)
    return Viewer(username, role, gm_code)


class _CapturingMediaStorage(MemoryMediaFileStorage):
    captured: dict[str, bytes] = {}

    def load_and_get_id(self, path_or_data, mimetype, kind, filename=None):
        if isinstance(path_or_data, bytes) and filename:
            type(self).captured[filename] = path_or_data
        return super().load_and_get_id(path_or_data, mimetype, kind, filename)


@pytest.fixture
def downloads(monkeypatch) -> dict[str, bytes]:
    """File name -> payload of the download buttons rendered in this test (latest run wins)."""
    captured: dict[str, bytes] = {}
    monkeypatch.setattr(_CapturingMediaStorage, "captured", captured)
    monkeypatch.setattr(_app_test_module, "MemoryMediaFileStorage", _CapturingMediaStorage)
    return captured


# --------------------------------------------------------------------------- running pages


def new_app(viewer: Viewer | str | None = None, filters: Filters | None = None, today: date | None = TODAY,
            app_path: str = APP_PATH) -> AppTest:
    """An AppTest of ``app.py`` with the viewer, filters and reference date put in session state."""
    at = AppTest.from_file(app_path, default_timeout=TIMEOUT)
    if isinstance(viewer, str):
        viewer = VIEWERS[viewer]
    if viewer is not None:
        at.session_state["viewer"] = viewer
    if today is not None:
        at.session_state["today"] = today
    if filters is not None:
        at.session_state["filters"] = filters
    return at


def open_page(page: str, viewer: Viewer | str, filters: Filters | None = None, today: date | None = TODAY) -> AppTest:
    """Run the app as ``viewer`` and navigate to ``page`` (a key of :data:`PAGE_FILES`).

    Before the first run AppTest names a page by its file name, which matches the ``url_path`` of
    most pages (one run); otherwise the page is chosen from the registered navigation (two runs).
    """
    at = new_app(viewer, filters, today)
    at.switch_page(PAGE_FILES[page]).run()
    assert not at.exception, exception_text(at)
    if title(at) != PAGE_TITLES[page]:
        at.switch_page(PAGE_FILES[page]).run()
    assert not at.exception, exception_text(at)
    return at


def exception_text(at: AppTest) -> str:
    return "\n".join(f"{e.message}\n{''.join(e.stack_trace)}" for e in at.exception)


def title(at: AppTest) -> str | None:
    return at.title[0].value if len(at.title) else None


def metrics(at: AppTest) -> dict[str, str]:
    """KPI label -> displayed value."""
    return {m.label: m.value for m in at.metric}


def metric_help(at: AppTest) -> dict[str, str]:
    return {m.label: m.help for m in at.metric}


def frames(at: AppTest) -> list[pd.DataFrame]:
    return [d.value for d in at.dataframe]


def texts(at: AppTest, kind: str) -> list[str]:
    """Values of all elements of ``kind`` ('info', 'error', 'warning', 'caption', 'markdown', 'success')."""
    return [str(e.value) for e in getattr(at, kind)]


def download_buttons(at: AppTest) -> list:
    return list(at.get("download_button"))


def main_widget_count(at: AppTest) -> int:
    """Number of elements in the main area (page content)."""
    return sum(1 for _ in _walk(at.main))


def _walk(node):
    children = getattr(node, "children", None)
    if children is None:
        yield node
        return
    for child in children.values():
        yield from _walk(child)


def small_count_cells(frame: pd.DataFrame, threshold: int = 5) -> list[tuple]:
    """Cells of ``frame`` that show an exact count 1..threshold-1 (ints, or strings like '3').

    '<5', '–', '0', larger numbers and other text are fine.
    """
    bad = []
    for r, row in enumerate(frame.itertuples(index=False)):
        for c, v in enumerate(row):
            if isinstance(v, bool):
                continue
            n = None
            if isinstance(v, (int,)) or (isinstance(v, float) and not math.isnan(v) and float(v).is_integer()):
                n = int(v)
            elif hasattr(v, "dtype") and pd.api.types.is_integer(v):  # numpy ints
                n = int(v)
            elif isinstance(v, str) and v.strip().isdigit():
                n = int(v.strip())
            if n is not None and 0 < n < threshold:
                bad.append((frame.index[r], frame.columns[c], v))
    return bad


# --------------------------------------------------------------------------- independent SQL


def sql_scalar(url: str, query: str, **params):
    with get_engine(url).connect() as conn:
        return conn.execute(sa.text(query), params).scalar()


def sql_rows(url: str, query: str, **params) -> list[tuple]:
    with get_engine(url).connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(query), params).all()]


def gm_clause(gm_codes) -> str:
    """SQL fragment restricting ``detention`` (alias d) to gm_codes (codes are from our own constants)."""
    if not gm_codes:
        return ""
    return " AND d.gm_code IN (" + ", ".join(f"'{c}'" for c in gm_codes) + ")"


def releases_sql(url: str, f: Filters) -> int:
    """Releases (uitstroom) with release_date in the period."""
    return int(sql_scalar(url, "SELECT count(*) FROM detention d WHERE d.release_date BETWEEN :a AND :b" + gm_clause(f.gm_codes),
                          a=f.date_from, b=f.date_to))


def admissions_sql(url: str, f: Filters) -> int:
    return int(sql_scalar(url, "SELECT count(*) FROM detention d WHERE d.admission_date BETWEEN :a AND :b" + gm_clause(f.gm_codes),
                          a=f.date_from, b=f.date_to))


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance on a sphere of radius 6371.0088 km (IUGG mean radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def institution_distances(url: str) -> dict[str, float]:
    """institution code -> km from the default origin."""
    return {code: haversine_km(ORIGIN_LAT, ORIGIN_LON, float(lat), float(lon))
            for code, lat, lon in sql_rows(url, "SELECT code, lat, lon FROM institution")}


def releases_within_sql(url: str, f: Filters, radius_km: float) -> tuple[int, int]:
    """(releases from an institution within ``radius_km``, all releases) in the period."""
    dist = institution_distances(url)
    rows = sql_rows(url, "SELECT d.institution_code, count(*) FROM detention d WHERE d.release_date BETWEEN :a AND :b"
                    + gm_clause(f.gm_codes) + " GROUP BY 1", a=f.date_from, b=f.date_to)
    within = sum(n for code, n in rows if dist[code] <= radius_km)
    return within, sum(n for _, n in rows)


def nl_int(n: int) -> str:
    """Dutch integer format written out independently: 1342 -> '1.342'."""
    return f"{n:,}".replace(",", ".")


def nl_pct(fraction: float) -> str:
    """Dutch percentage, one decimal: 0.4242 -> '42,4%'."""
    return f"{fraction * 100:.1f}".replace(".", ",") + "%"


def kpi(at: AppTest, label_start: str) -> str:
    """Value of the one KPI whose label starts with ``label_start``."""
    found = [m.value for m in at.metric if m.label.startswith(label_start)]
    assert len(found) == 1, f"KPI {label_start!r}: found {[m.label for m in at.metric]}"
    return found[0]


def kpi_help(at: AppTest, label_start: str) -> str:
    found = [m.help for m in at.metric if m.label.startswith(label_start)]
    assert len(found) == 1, f"KPI {label_start!r}: found {[m.label for m in at.metric]}"
    return found[0]


#: Duration bands as shown in the UI: kort < 28 days, middel 28..91 days, lang > 91 days.
BAND_SQL = ("CASE WHEN d.release_date - d.admission_date < 28 THEN '< 4 weken' "
            "WHEN d.release_date - d.admission_date <= 91 THEN '4 weken - 3 maanden' ELSE '> 3 maanden' END")
BAND_ORDER = ("< 4 weken", "4 weken - 3 maanden", "> 3 maanden")


def crosstab_sql(url: str, row_sql: str, col_sql: str, date_col: str, f: Filters, join: str = "") -> pd.DataFrame:
    """Counts per (row, column) of detentions with ``date_col`` in the period, as an int frame (0 filled)."""
    rows = sql_rows(url, f"SELECT {row_sql} AS r, {col_sql} AS c, count(*) FROM detention d {join} "
                    f"WHERE d.{date_col} BETWEEN :a AND :b {gm_clause(f.gm_codes)} GROUP BY 1, 2",
                    a=f.date_from, b=f.date_to)
    if not rows:
        return pd.DataFrame(dtype=int)
    frame = pd.DataFrame(rows, columns=["r", "c", "n"]).pivot(index="r", columns="c", values="n").fillna(0).astype(int)
    frame.index = [str(i) for i in frame.index]
    frame.columns = [str(c) for c in frame.columns]
    return frame


def with_totals(frame: pd.DataFrame) -> pd.DataFrame:
    """Add 'Totaal' row and column like the app's count tables: a one-column table gets only the
    total row, a one-row table only the total column (a total of one line repeats that line)."""
    t = frame.copy()
    if t.shape[1] != 1 or t.shape[0] == 1:
        t["Totaal"] = t.sum(axis=1)
    if frame.shape[0] != 1 or frame.shape[1] == 1:
        t.loc["Totaal"] = t.sum(axis=0)
    return t


def as_nl_strings(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.map(lambda v: nl_int(int(v)))


def shown_counts(frame: pd.DataFrame) -> dict[tuple[str, str], str]:
    """{(row, column): cell} of a displayed table (all as str)."""
    return {(str(r), str(c)): str(frame.loc[r, c]) for r in frame.index for c in frame.columns}


def assert_count_table(shown: pd.DataFrame, counts: pd.DataFrame) -> None:
    """A displayed (unsuppressed) count table equals ``counts`` plus margins, all in nl-NL format.

    ``counts`` is the interior computed in the test. A 'Totaal' column on a one-column table is
    optional (the unsuppressed path adds it, disclosure control leaves it out); when shown it must
    hold the row sums.
    """
    expected = with_totals(counts)
    assert set(shown.index) == set(expected.index), (list(shown.index), list(expected.index))
    assert set(shown.columns) - {"Totaal"} == set(expected.columns) - {"Totaal"}, (list(shown.columns), list(expected.columns))
    for key, value in shown_counts(as_nl_strings(expected)).items():
        assert shown_counts(shown)[key] == value, (key, shown_counts(shown)[key], value)
    if "Totaal" in shown.columns:
        sums = counts.sum(axis=1)
        for r in counts.index:
            assert shown.loc[r, "Totaal"] == nl_int(int(sums[r])), r
        if "Totaal" in shown.index:
            assert shown.loc["Totaal", "Totaal"] == nl_int(int(counts.to_numpy().sum()))
    if len(counts) > 1:
        assert list(shown.index)[-1] == "Totaal"


# --------------------------------------------------------------------------- disclosure audit of what is shown

PRIMARY = "<5"
SECONDARY = "–"  # en dash


def parse_label(cell) -> int | str:
    """A displayed count ('1.342', '7', 7) as int; the marks '<5' and '–' as they are."""
    text = str(cell).strip()
    if text in (PRIMARY, SECONDARY):
        return text
    return int(text.replace(".", ""))


def hidden_cell_ranges(frame: pd.DataFrame, known: pd.DataFrame | None = None, threshold: int = 5,
                       facts: dict[tuple[str, str], int] | None = None) -> dict[tuple[str, str], tuple[float, float]]:
    """What a reader can work out about each hidden cell of a displayed count table.

    Written independently of :mod:`metrics.disclosure`. The table's structure is read from its
    labels: a 'Totaal' column holds row sums, a 'Totaal' row column sums. A reader knows what the
    marks tell (rule of the app): '<5' is 1..threshold-1, '–' is at least ``threshold`` (zeros and
    small cells are never secondary). ``facts``: cells whose value the page shows elsewhere (e.g. a
    KPI repeating the grand total).

    ``known``: the reader's own part of every interior cell (a gemeente viewer's own counts, same
    index/columns as the interior). Then the unknowns are the *other* gemeenten's parts
    (shown value - own part) and a '–' only tells that part is at least 1.

    Returns {(row, col): (min, max)} over all real tables consistent with what is shown.
    """
    from scipy.optimize import linprog

    cells = {(str(r), str(c)): parse_label(frame.loc[r, c]) for r in frame.index for c in frame.columns}
    for key, value in (facts or {}).items():
        cells[key] = value
    rows = [str(r) for r in frame.index]
    cols = [str(c) for c in frame.columns]
    inner_rows = [r for r in rows if r != "Totaal"]
    inner_cols = [c for c in cols if c != "Totaal"]
    own: dict[tuple[str, str], int] = {}
    if known is not None:
        k = known.copy()
        k.index, k.columns = [str(i) for i in k.index], [str(c) for c in k.columns]
        k = k.reindex(index=inner_rows, columns=inner_cols, fill_value=0)
        for r in inner_rows:
            for c in inner_cols:
                own[(r, c)] = int(k.loc[r, c])
            if "Totaal" in cols:
                own[(r, "Totaal")] = int(k.loc[r].sum())
        if "Totaal" in rows:
            for c in inner_cols:
                own[("Totaal", c)] = int(k[c].sum())
            if "Totaal" in cols:
                own[("Totaal", "Totaal")] = int(k.to_numpy().sum())
    lines: list[tuple[list[tuple[str, str]], tuple[str, str]]] = []  # (parts, total)
    if "Totaal" in cols:
        lines += [([(r, c) for c in inner_cols], (r, "Totaal")) for r in rows]
    if "Totaal" in rows:
        lines += [([(r, c) for r in inner_rows], ("Totaal", c)) for c in cols]
    unknown = [key for key, v in cells.items() if isinstance(v, str)]
    if not unknown:
        return {}
    idx = {key: i for i, key in enumerate(unknown)}
    a_eq, b_eq = [], []
    for parts, total in lines:
        row, rhs = np.zeros(len(unknown)), 0.0
        for key, coef in [(p, 1.0) for p in parts] + [(total, -1.0)]:
            if key in idx:
                row[idx[key]] += coef
            else:
                rhs -= coef * (cells[key] - own.get(key, 0))
        if row.any():
            a_eq.append(row)
            b_eq.append(rhs)
        else:
            assert abs(rhs) < 1e-9, f"shown cells of line {total} do not add up"
    if known is None:
        bounds = [(1, threshold - 1) if cells[key] == PRIMARY else (threshold, None) for key in unknown]
    else:
        assert PRIMARY not in [cells[key] for key in unknown], "a gemeente viewer's regional table shows '<5'"
        bounds = [(1, None)] * len(unknown)
    out = {}
    for key, i in idx.items():
        ends = []
        for sign in (1.0, -1.0):
            obj = np.zeros(len(unknown))
            obj[i] = sign
            res = linprog(obj, A_eq=np.array(a_eq) if a_eq else None, b_eq=np.array(b_eq) if b_eq else None,
                          bounds=bounds, method="highs")
            assert res.status in (0, 3), f"what is shown is inconsistent: {res.message}"
            ends.append(sign * res.fun if res.status == 0 else math.inf)
        out[key] = (ends[0] + own.get(key, 0), ends[1] + own.get(key, 0))
    return out


def pinned_cells(frame: pd.DataFrame, known: pd.DataFrame | None = None, threshold: int = 5,
                 facts: dict[tuple[str, str], int] | None = None) -> dict[tuple[str, str], tuple[float, float]]:
    """Hidden cells of ``frame`` that a reader can recompute exactly (range narrower than 1)."""
    ranges = hidden_cell_ranges(frame, known=known, threshold=threshold, facts=facts)
    return {key: r for key, r in ranges.items() if r[1] - r[0] < 1 - 1e-6}


def split_frame(labels: pd.Series, in_part: pd.Series, part: str, rest: str, total: str) -> pd.DataFrame:
    """A displayed two-way split (items within / outside a radius) as a count table with totals:
    one row per item (its label in its own group, 0 in the other), the group totals and the grand
    total in the 'Totaal' row. Input for :func:`pinned_cells`."""
    t = pd.DataFrame({"binnen": [lbl if inside else "0" for lbl, inside in zip(labels, in_part)],
                      "buiten": ["0" if inside else lbl for lbl, inside in zip(labels, in_part)],
                      "Totaal": list(labels)}, index=[str(i) for i in labels.index])
    t.loc["Totaal"] = [part, rest, total]
    return t


def assert_no_pinned_cells(frame: pd.DataFrame, where: str = "", known: pd.DataFrame | None = None,
                           facts: dict[tuple[str, str], int] | None = None) -> None:
    """No hidden cell of a displayed table can be recomputed from what is shown (see
    :func:`hidden_cell_ranges`). Exception, by design of the app (metrics.disclosure): when every
    positive count of the table is hidden, nothing more can be hidden and the marks alone may pin
    a cell (e.g. four '<5' cells with a total '<5' are each 1); such a table shows no number."""
    shown_numbers = [parse_label(v) for v in frame.to_numpy().ravel()]
    if known is None and facts is None and not any(isinstance(v, int) and v > 0 for v in shown_numbers):
        return
    pinned = pinned_cells(frame, known=known, facts=facts)
    assert not pinned, f"{where}: hidden cells can be recomputed {pinned}\n{frame}"
