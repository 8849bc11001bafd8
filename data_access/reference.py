"""Reference data (public facts) shipped with the project and loaded at ``init``.

Files in ``data_access/reference_data/`` are copies of the project's public reference set:
``gemeenten_gooi_en_vechtstreek.csv`` (CBS codes, aliases, validity dates, approximate
coordinates), ``inrichtingen.csv`` (DJI locations, approximate coordinates with their precision,
status and aliases) and ``zvh_origin.csv`` (default origin for travel distances).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from data_access import schema

REFERENCE_DIR = Path(__file__).resolve().parent / "reference_data"


def read_reference_csv(name: str) -> pd.DataFrame:
    """Read one shipped reference CSV (comment lines start with ``#``); all columns as str."""
    return pd.read_csv(REFERENCE_DIR / name, comment="#", dtype=str, keep_default_na=False)


def normalise_name(value: str) -> str:
    """Normalise a municipality or institution spelling for alias matching.

    Case-insensitive, Unicode NFKC, every dash (``-``, en dash, em dash) and bracket becomes a
    space, white space collapsed. ``"PI Grave – Oosterhoek"`` -> ``"pi grave oosterhoek"``.
    """
    s = unicodedata.normalize("NFKC", str(value)).lower().strip()
    s = re.sub(r"[\-\u2010-\u2015()\[\]]", " ", s)
    return re.sub(r"\s+", " ", s).strip()


def _date_or_none(value: str) -> date | None:
    return date.fromisoformat(value) if value else None


def _float_or_none(value: str) -> float | None:
    return float(value) if value else None


def municipality_rows() -> tuple[list[dict], list[dict]]:
    """Rows for ``municipality`` and ``municipality_alias`` from the shipped CSV."""
    df = read_reference_csv("gemeenten_gooi_en_vechtstreek.csv")
    rows, aliases = [], {}
    for r in df.to_dict("records"):
        rows.append(
            dict(
                gm_code=r["gm_code"],
                name=r["name"],
                in_region_report=r["in_report"] == "yes",
                valid_from=_date_or_none(r["valid_from"]),
                valid_to=_date_or_none(r["valid_to"]),
                population_2020=int(r["population_2020"]) if r["population_2020"] else None,
                lat=_float_or_none(r["lat"]),
                lon=_float_or_none(r["lon"]),
                coord_precision=r["coord_precision"] or None,
            )
        )
        for alias in [r["gm_code"], r["name"], *[a for a in r["aliases"].split("|") if a]]:
            aliases.setdefault(normalise_name(alias), dict(alias_norm=normalise_name(alias), alias=alias, gm_code=r["gm_code"]))
    return rows, list(aliases.values())


def institution_rows() -> tuple[list[dict], list[dict]]:
    """Rows for ``institution`` and ``institution_alias`` from the shipped CSV."""
    df = read_reference_csv("inrichtingen.csv")
    rows, aliases = [], {}
    for r in df.to_dict("records"):
        rows.append(
            dict(
                code=r["code"],
                name=r["name"],
                town=r["town"] or None,
                lat=float(r["lat"]),
                lon=float(r["lon"]),
                coord_precision=r["coord_precision"] or None,
                status=r["status"] or None,
                closed_year=int(r["closed_year"]) if r["closed_year"] else None,
                borderline_60km=r["borderline_60km"] == "yes",
            )
        )
        for alias in [r["code"], r["name"], *[a for a in r["aliases"].split("|") if a]]:
            key = normalise_name(alias)
            if key in aliases and aliases[key]["code"] != r["code"]:
                raise ValueError(f"Alias {alias!r} verwijst naar twee inrichtingen")
            aliases.setdefault(key, dict(alias_norm=key, alias=alias, code=r["code"]))
    return rows, list(aliases.values())


def _upsert(conn: sa.Connection, table: sa.Table, key: str, rows: list[dict]) -> None:
    existing = {row[0] for row in conn.execute(sa.select(table.c[key]))}
    new = [r for r in rows if r[key] not in existing]
    if new:
        conn.execute(table.insert(), new)
    for r in rows:
        if r[key] in existing:
            conn.execute(table.update().where(table.c[key] == r[key]).values(**r))


def load_reference_data(engine: sa.Engine) -> dict[str, int]:
    """Insert or update municipalities, institutions and their aliases (idempotent).

    Returns counts ``{"municipality": n, "institution": n, ...}``.
    """
    m_rows, m_alias = municipality_rows()
    i_rows, i_alias = institution_rows()
    with engine.begin() as conn:
        _upsert(conn, schema.municipality, "gm_code", m_rows)
        _upsert(conn, schema.institution, "code", i_rows)
        _upsert(conn, schema.municipality_alias, "alias_norm", m_alias)
        _upsert(conn, schema.institution_alias, "alias_norm", i_alias)
    return {
        "municipality": len(m_rows),
        "municipality_alias": len(m_alias),
        "institution": len(i_rows),
        "institution_alias": len(i_alias),
    }


@dataclass(frozen=True)
class Origin:
    """A point travel distances are measured from (default: ZVH office, Hilversum centre)."""

    name: str
    lat: float
    lon: float


def default_origin() -> Origin:
    """The configured default origin from ``zvh_origin.csv`` (a placeholder: Hilversum centre)."""
    r = read_reference_csv("zvh_origin.csv").iloc[0]
    return Origin(name=r["name"], lat=float(r["lat"]), lon=float(r["lon"]))


@dataclass
class ReferenceResolver:
    """Resolves spellings (name, alias or code) of municipalities and institutions to codes.

    Built from the database (:meth:`from_db`) so that aliases added by beheer count.
    """

    municipality_aliases: dict[str, str]
    institution_aliases: dict[str, str]
    municipalities: pd.DataFrame  # index gm_code; columns name, valid_from, valid_to
    institutions: pd.DataFrame  # index code; columns name, status, closed_year

    @classmethod
    def from_db(cls, conn: sa.Connection) -> "ReferenceResolver":
        ma = dict(conn.execute(sa.select(schema.municipality_alias.c.alias_norm, schema.municipality_alias.c.gm_code)).all())
        ia = dict(conn.execute(sa.select(schema.institution_alias.c.alias_norm, schema.institution_alias.c.code)).all())
        m = pd.read_sql(sa.select(schema.municipality), conn).set_index("gm_code")
        i = pd.read_sql(sa.select(schema.institution), conn).set_index("code")
        return cls(ma, ia, m, i)

    def municipality(self, spelling: str) -> str | None:
        """CBS code for a spelling, or None when unknown."""
        return self.municipality_aliases.get(normalise_name(spelling))

    def institution(self, spelling: str) -> str | None:
        """Institution code for a spelling, or None when unknown."""
        return self.institution_aliases.get(normalise_name(spelling))
