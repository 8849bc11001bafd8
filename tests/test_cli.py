"""CLI contract: commands, JSON keys, exit codes."""
import json
import subprocess
import sys

import pytest

from data_access.import_formats import INTERVENTIONS
from sample_data.generate import generate_detentions
from tests.conftest import CASES, ROOT, TODAY


def run(*args):
    p = subprocess.run([sys.executable, str(ROOT / "cli.py"), *args], capture_output=True, text=True, cwd=ROOT)
    return p.returncode, p.stdout, p.stderr


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    url = f"duckdb:///{tmp_path_factory.mktemp('cli') / 'cli.duckdb'}"
    code, out, err = run("--db", url, "init", "--today", "2026-11-29")
    assert code == 0, err
    assert json.loads(out)["sample_detentions"] == len(generate_detentions(today=TODAY))
    return url


def test_published_json(db):
    code, out, _ = run("--db", db, "published", "--json")
    assert code == 0
    j = json.loads(out)
    assert j["placed_known"] == 145
    assert j["band_counts"] == {"<4 weken": 61, "4 weken-3 maanden": 35, ">3 maanden": 49}
    assert j["institution_shares"]["PI Alphen aan den Rijn (Eikenlaan)"] == pytest.approx(41 / 145)
    assert {i["claim"] for i in j["inconsistencies"]} >= {"share_pi_lelystad", "within_60km_share"}


def test_summary_json_case_role(db):
    code, out, _ = run("--db", db, "summary", "--year", "2021", "--json", "--role", "zvh")
    assert code == 0
    j = json.loads(out)
    assert j["total"] == 165
    assert j["per_gemeente"] == {"Hilversum": 91, "Gooise Meren": 28, "Huizen": 26, "Wijdemeren": 10, "Blaricum": 6, "Laren": 4}
    assert j["per_institution"]["PI Alphen aan den Rijn (Eikenlaan)"] == 45
    assert sum(j["per_band"].values()) == 165
    assert j["radius_km"] == 60 and 106 <= j["within_radius_count"] <= 165
    assert j["within_radius_share"] == pytest.approx(j["within_radius_count"] / 165)


def test_summary_defaults_to_most_restricted_role(db):
    code, out, _ = run("--db", db, "summary", "--year", "2021", "--json")
    j = json.loads(out)
    assert j["role"] == "bestuur" and j["disclosure_applied"] is True
    assert j["per_gemeente"]["Laren"] is None  # 4 < 5
    assert sum(v is None for v in j["per_gemeente"].values()) >= 2  # secondary suppression
    shown = [v for table in ("per_gemeente", "per_institution", "per_band") for v in j[table].values() if v is not None]
    assert not any(0 < v < 5 for v in shown)


def test_summary_radius(db):
    j30 = json.loads(run("--db", db, "summary", "--year", "2021", "--json", "--role", "zvh", "--radius-km", "30")[1])
    j60 = json.loads(run("--db", db, "summary", "--year", "2021", "--json", "--role", "zvh")[1])
    assert j30["within_radius_count"] < j60["within_radius_count"]


def test_import_bad_file_exit_code(db):
    code, out, err = run("--db", db, "import", "detentions", str(CASES / "detenties_einde_voor_aanvang.csv"))
    assert code == 2
    assert "rij 3" in err and "datum_einde" in err
    code, _, err = run("--db", db, "import", "detentions", "bestaat-niet.csv")
    assert code == 2 and "niet gevonden" in err


def test_users_command(db):
    code, _, err = run("--db", db, "users", "add", "piet", "--role", "zvh", "--password", "geheim-wachtwoord")
    assert code == 0, err
    code, out, _ = run("--db", db, "users", "list")
    assert "piet" in out and "zvh" in out
    code, _, err = run("--db", db, "users", "add", "piet", "--role", "zvh", "--password", "geheim-wachtwoord")
    assert code == 2 and "bestaat al" in err


def test_clear_errors_for_bad_cli_input(db, tmp_path):
    p = subprocess.run([sys.executable, str(ROOT / "cli.py"), "--db", f"duckdb:///{tmp_path / 'nieuw.duckdb'}", "summary", "--year", "2021"],
                       capture_output=True, text=True, cwd=ROOT)
    assert p.returncode == 2 and "nog niet ingericht" in p.stderr and "Traceback" not in p.stderr
    code, _, err = run("--db", db, "summary", "--year", "2021", "--radius-km", "-5")
    assert code == 2 and "straal" in err
    p = subprocess.run([sys.executable, str(ROOT / "cli.py"), "--db", db, "users", "add", "kees", "--role", "zvh"],
                       capture_output=True, text=True, cwd=ROOT, stdin=subprocess.DEVNULL)
    assert p.returncode == 2 and "--password" in p.stderr
    code, _, err = run("--db", db, "users", "add", "gem", "--role", "gemeente", "--gemeente", "Huizen", "--password", "een-lang-wachtwoord")
    assert code == 0, err  # a gemeente by name, like the importer accepts
    code, out, _ = run("--db", db, "users", "list")
    assert "GM0406" in out


def test_purge_demo_command(tmp_path):
    url = f"duckdb:///{tmp_path / 'p.duckdb'}"
    assert run("--db", url, "init", "--today", "2026-11-29")[0] == 0
    code, out, _ = run("--db", url, "purge-demo")
    assert code == 0 and "6 demo-accounts" in out
    code, out, err = run("--db", url, "import", "detentions", str(CASES / "detenties_utf8_bom.csv"))
    assert code == 0, err
    assert "3 nieuw" in out


def test_effects_json_contract(db, monkeypatch):
    monkeypatch.setenv("TKM_TODAY", TODAY.isoformat())
    code, stdout, err = run("--db", db, "effects", "--json", "--bootstrap", "30")
    assert code == 0, err
    out = json.loads(stdout)
    assert set(out) == {"unit", "outcome", "population", "registration_start", "covariates", "method", "interventions"}
    assert [r["intervention"] for r in out["interventions"]] == list(INTERVENTIONS)
    assert out["population"] > 200 and out["registration_start"] == "2023-01-01"
    for r in out["interventions"]:
        assert set(r) == {"intervention", "label", "n_treated", "n_control", "raw_effect", "raw_ci", "adjusted_effect",
                          "adjusted_ci", "refused"}
        assert r["n_treated"] + r["n_control"] == out["population"]
        if r["refused"] is None:
            lo, hi = r["adjusted_ci"]
            assert lo <= r["adjusted_effect"] <= hi
        else:
            assert r["adjusted_effect"] is None and r["adjusted_ci"] is None
    refused = {r["intervention"]: r["refused"] for r in out["interventions"] if r["refused"]}
    assert refused["gezinsondersteuning"].startswith("te weinig personen")


def test_whatif_json_contract(db, monkeypatch):
    monkeypatch.setenv("TKM_TODAY", TODAY.isoformat())
    code, stdout, err = run("--db", db, "whatif", "--json", "--year", "2025", "--no-effect", "--hours-per-week", "20")
    assert code == 0, err
    out = json.loads(stdout)
    assert set(out) == {"population", "scenario", "result", "recidivism_effect"}
    assert out["population"] == "2025" and out["scenario"]["staff_hours_per_week"] == 20 and out["recidivism_effect"] is None
    r = out["result"]
    assert r["hours_available"] == 20 * 52 and 0 <= r["share_reached_before_release"] <= 1
    assert r["detainees_in_scope"] <= r["detentions"] and r["recidivists_change"] is None
    code, _, err = run("--db", db, "whatif", "--json", "--hours-per-week", "-3", "--no-effect")
    assert code == 2 and "negatief" in err
    code, _, err = run("--db", db, "whatif", "--json", "--year", "1990", "--no-effect")
    assert code == 2 and "Geen detenties met aanvang in 1990" in err
    code, _, err = run("--db", db, "whatif", "--json", "--bands", "", "--no-effect")
    assert code == 2 and "duurklasse" in err


def test_plan_visits_json_contract_and_role(db, monkeypatch, tmp_path):
    monkeypatch.setenv("TKM_TODAY", TODAY.isoformat())
    code, _, err = run("--db", db, "plan-visits", "--weeks", "2", "--json")
    assert code == 2 and "--role zvh" in err  # case-level output: not for the default (most restricted) role
    ics = tmp_path / "plan.ics"
    code, stdout, err = run("--db", db, "plan-visits", "--weeks", "2", "--json", "--role", "zvh", "--time-limit", "3",
                            "--ical", str(ics))
    assert code == 0, err
    out = json.loads(stdout)
    assert set(out) == {"start", "weeks", "weekdays", "in_detention", "not_prioritised", "plan", "greedy", "trips", "visits",
                        "unreachable", "unreachable_by_reason"}
    assert out["start"] == "2026-11-30" and out["weeks"] == 2 and out["weekdays"] == [1, 3]
    assert out["plan"]["reached_weight"] >= out["greedy"]["reached_weight"] and out["plan"]["travel_hours"] <= out["greedy"]["travel_hours"]
    assert len(out["visits"]) == out["plan"]["reached"] == sum(t["conversations"] for t in out["trips"])
    assert ics.read_text(encoding="utf-8").count("BEGIN:VEVENT") == len(out["trips"])
