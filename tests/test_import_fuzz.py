"""Property test of the detention import: random valid rows, written the ways users' tools write them
(encoding, separator, quoting, date spelling, row order), sometimes damaged (a column dropped, a date
or a gemeente corrupted).

Property: an undamaged file imports and the stored detentions are exactly the file's rows; a damaged
file is refused with :class:`ImportValidationError` and nothing in the database changes.
"""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data_access import meta, schema
from data_access.importers import ImportValidationError, import_file
from data_access.pseudonym import pseudonymise
from tests.conftest import TODAY

COLUMNS = ["bron_id", "gemeente", "inrichting", "datum_aanvang", "datum_einde", "verwachte_einddatum", "geboortejaar"]
# spelling in the file -> code (names, aliases, CBS codes; all valid from 2016 until after TODAY)
GEMEENTEN = {"Blaricum": "GM0376", "GM0376": "GM0376", "Eemnes": "GM0317", "Gooise Meren": "GM1942", "Gooische Meren": "GM1942",
             "BUSSUM": "GM1942", "Hilversum": "GM0402", "gm0402": "GM0402", "Huizen": "GM0406", "Laren (NH)": "GM0417",
             "Laren": "GM0417", "Wijdemeren": "GM1696", "Loosdrecht": "GM1696"}
INRICHTINGEN = {"PI Lelystad": "PI-LLS", "Lelystad": "PI-LLS", "PI-LLS": "PI-LLS", "JC Schiphol": "JC-SPL",
                "PI Alphen a/d Rijn": "PI-ALP-E", "PI Grave – Oosterhoek": "PI-GRV", "pi zwolle": "PI-ZWL",
                "PI Utrecht (Nieuwersluis)": "PI-NWS", "Nieuwegein": "PI-NWG", "Justitieel Complex Zaanstad": "JC-ZST"}
BAD_GEMEENTEN = ["Utrecht", "Amsterdam", "GM9999", "Hilversumm", "Weesp2"]
BAD_DATES = ["31-02-2023", "2023-13-01", "gisteren", "12-2023", "00-01-2020", "1-1-20", "2020/01/01"]
DATE_STYLES = ["%d-%m-%Y", "%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "dmy-short"]
ENCODINGS = ["utf-8", "utf-8-sig", "cp1252"]
START, END = date(2016, 1, 1), TODAY
STATE_TABLES = [*schema.BATCHED_TABLES, schema.import_batch, schema.superseded_row]

# bron_ids: letters, digits, separators, quotes and a few accented letters (encodable in cp1252; after an ASCII
# character or each other they never form valid UTF-8 by accident, so the encoding is recognised unambiguously)
bron_ids = st.text(alphabet="ABXZ0123456789-/ ;,\"'éëï", min_size=1, max_size=12).filter(lambda s: s.strip())


@st.composite
def detention_rows(draw):
    admission = draw(st.dates(START, END))
    release = draw(st.none() | st.dates(admission, END))
    expected = draw(st.none() | st.dates(admission, admission + timedelta(days=900)))
    return dict(bron_id=draw(bron_ids), gemeente=draw(st.sampled_from(sorted(GEMEENTEN))),
                inrichting=draw(st.sampled_from(sorted(INRICHTINGEN))), datum_aanvang=admission, datum_einde=release,
                verwachte_einddatum=expected, geboortejaar=draw(st.none() | st.integers(1930, 2008)))


def _fmt(d: date | None, style: str) -> str:
    if d is None:
        return ""
    return f"{d.day}-{d.month}-{d.year}" if style == "dmy-short" else d.strftime(style)


@st.composite
def files(draw):
    """``(bytes, separator, encoding, expected rows or None when the file is damaged)``."""
    rows = draw(st.lists(detention_rows(), min_size=1, max_size=25,
                         unique_by=lambda r: (r["bron_id"].strip(), r["datum_aanvang"])))
    rows = draw(st.permutations(rows))
    style = draw(st.sampled_from(DATE_STYLES))
    sep = draw(st.sampled_from([";", ","]))
    encoding = draw(st.sampled_from(ENCODINGS))
    cells = [{**r, **{c: _fmt(r[c], style) for c in ("datum_aanvang", "datum_einde", "verwachte_einddatum")},
              "geboortejaar": "" if r["geboortejaar"] is None else str(r["geboortejaar"])} for r in rows]
    columns = list(COLUMNS)
    damage = draw(st.sampled_from([None, None, None, "drop_column", "bad_date", "bad_gemeente"]))
    if damage == "drop_column":
        columns.remove(draw(st.sampled_from(COLUMNS)))
    elif damage == "bad_date":
        i = draw(st.integers(0, len(cells) - 1))
        cells[i][draw(st.sampled_from(["datum_aanvang", "datum_einde", "verwachte_einddatum"]))] = draw(st.sampled_from(BAD_DATES))
    elif damage == "bad_gemeente":
        cells[draw(st.integers(0, len(cells) - 1))]["gemeente"] = draw(st.sampled_from(BAD_GEMEENTEN))
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=sep, lineterminator=draw(st.sampled_from(["\r\n", "\n"])))
    w.writerow(columns)
    for c in cells:
        w.writerow([c[k] for k in columns])
    expected = None if damage else {(pseudonymise(r["bron_id"]), GEMEENTEN[r["gemeente"]], INRICHTINGEN[r["inrichting"]],
                                     r["datum_aanvang"], r["datum_einde"]) for r in rows}
    return buf.getvalue().encode(encoding), sep, encoding, expected


def _counts(eng) -> dict[str, int]:
    q = sa.union_all(*[sa.select(sa.literal(t.name).label("t"), sa.func.count().label("n")).select_from(t) for t in STATE_TABLES])
    with eng.connect() as c:
        return dict(c.execute(q).all())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(f=files())
def test_import_stores_exactly_the_rows_or_nothing(db_factory, empty_template_url, f):
    data, sep, encoding, expected = f
    url = db_factory.copy(empty_template_url, "fuzz")
    eng = sa.create_engine(url)
    try:
        before = _counts(eng)
        try:
            res = import_file(eng, "detentions", data, "export.csv", username="fuzz", today=TODAY)
        except ImportValidationError as exc:
            assert expected is None, f"valid file refused: {exc}"
            assert exc.problems and all(p.reason for p in exc.problems)
            assert _counts(eng) == before
            assert meta.data_origin(eng) == "empty"
            return
        assert expected is not None, "damaged file accepted"
        assert res.separator == sep
        if encoding == "utf-8-sig":
            assert res.encoding == "utf-8-sig"
        elif any(b > 127 for b in data):
            assert res.encoding == encoding
        d = schema.detention
        with eng.connect() as c:
            stored = {tuple(r) for r in c.execute(sa.select(d.c.person_key, d.c.gm_code, d.c.institution_code,
                                                            d.c.admission_date, d.c.release_date))}
            persons = {k for (k,) in c.execute(sa.select(schema.person.c.person_key))}
        assert stored == expected
        assert res.inserted == len(expected) and res.updated == 0
        assert persons == {k for k, *_ in expected}
        assert meta.data_origin(eng) == "real"
    finally:
        eng.dispose()
        db_factory.drop(url)
