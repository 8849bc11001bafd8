"""Auditlog (beheer): the log lines, filters and download."""
from __future__ import annotations

from datetime import date, datetime

from data_access.policy import Viewer
from tests.pagetest_helpers import (  # noqa: F401  (fixtures)
    P2021,
    ROOT,
    download_buttons,
    exception_text,
    frames,
    new_app,
    nl_int,
    open_page,
    private_app,
    sql_scalar,
    texts,
)

SINCE = date(2000, 1, 1)


def _open_log(since: date = SINCE):
    at = open_page("audit", "beheer", P2021)
    vanaf = next(d for d in at.date_input if d.label == "Vanaf")
    vanaf.set_value(since).run()
    assert not at.exception, exception_text(at)
    return at


def _status(at) -> str:
    return next(m for m in texts(at, "markdown") if "regels (nieuwste eerst" in m)


def test_login_and_import_lines_after_a_real_login(private_app):
    at = new_app(None)
    at.run()
    at.text_input[0].input("beheer")
    at.text_input[1].input("demo-beheer")
    at.button[0].click().run()
    assert at.session_state["viewer"].role == "beheer"
    at.switch_page("pages/auditlog.py").run()
    next(d for d in at.date_input if d.label == "Vanaf").set_value(SINCE).run()
    log = frames(at)[0]
    assert list(log.columns) == ["Tijdstip", "Gebruiker", "Rol", "Handeling", "Onderwerp", "Details"]
    assert ((log["Handeling"] == "Ingelogd") & (log["Gebruiker"] == "beheer")).any()
    assert (log["Handeling"] == "Import").any()  # the synthetic sample was imported at init
    assert (log["Handeling"] == "Database ingericht").any()
    total = int(sql_scalar(private_app, "SELECT count(*) FROM audit_log"))
    assert _status(at) == f"{nl_int(total)} regels (nieuwste eerst, maximaal 1.000)."
    assert len(log) == total
    ts = list(log["Tijdstip"])
    assert ts == sorted(ts, reverse=True)
    assert [b.label for b in download_buttons(at)] == ["Download CSV", "Download Excel"]


def test_filter_by_action(private_app):
    at = _open_log()
    next(s for s in at.selectbox if s.label == "Handeling").set_value("import").run()
    log = frames(at)[0]
    assert set(log["Handeling"]) == {"Import"}
    assert len(log) == int(sql_scalar(private_app, "SELECT count(*) FROM audit_log WHERE action = 'import'"))
    assert "synthetische_detenties.csv" in set(log["Onderwerp"])


def test_filter_by_user(private_app):
    at = _open_log()
    at.text_input[0].input("INIT ").run()  # trimmed and lower-cased
    log = frames(at)[0]
    assert set(log["Gebruiker"]) == {"init"}
    assert len(log) == int(sql_scalar(private_app, "SELECT count(*) FROM audit_log WHERE username = 'init'"))


def test_case_views_are_listed_with_their_filters(private_app):
    open_page("casussen", "zvh", P2021)
    at = _open_log()
    log = frames(at)[0]
    views = log[log["Handeling"] == "Casusgegevens bekeken"]
    assert len(views) == 1 and views["Gebruiker"].iloc[0] == "zvh"
    assert '"date_from": "2021-01-01"' in views["Details"].iloc[0]


def test_revoked_session_and_rejected_import_are_listed(private_app):
    """A session of a made-up account and a refused real import both leave a line."""
    at = new_app(Viewer("t-zvh", "zvh"), P2021)
    at.run()
    assert "viewer" not in at.session_state
    at = open_page("import", "zvh")
    at.file_uploader[0].set_value(("detenties_utf8_bom.csv", (ROOT / "tests" / "cases" / "detenties_utf8_bom.csv").read_bytes(), "text/csv")).run()
    next(b for b in at.button if b.label == "Importeren").click().run()
    assert texts(at, "error")
    log = frames(_open_log())[0]
    revoked = log[log["Handeling"] == "Sessie beëindigd (rechten gewijzigd)"]
    assert list(revoked["Gebruiker"]) == ["t-zvh"]
    rejected = log[log["Handeling"] == "Import geweigerd"]
    assert list(zip(rejected["Gebruiker"], rejected["Onderwerp"])) == [("zvh", "detenties_utf8_bom.csv")]
    assert "synthetische demogegevens" in rejected["Details"].iloc[0]


def test_no_lines_after_the_chosen_date_gives_empty_state(private_app):
    at = _open_log(since=date(datetime.now().year + 5, 1, 1))
    assert texts(at, "info") == ["Geen regels voor deze selectie. Pas de filters aan."]
    assert len(at.dataframe) == 0
