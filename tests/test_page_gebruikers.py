"""Gebruikers (beheer): list of accounts, adding a user, changing a role."""
from __future__ import annotations

from tests.pagetest_helpers import (  # noqa: F401  (fixtures)
    exception_text,
    frames,
    open_page,
    private_app,
    seeded_app,
    sql_rows,
    sql_scalar,
    texts,
)

DEMO = {
    "bestuur": ("bestuur", None),
    "zvh": ("zvh", None),
    "gemeente-huizen": ("gemeente", "GM0406"),
    "gemeente-hilversum": ("gemeente", "GM0402"),
    "analist": ("analist", None),
    "beheer": ("beheer", None),
}


def _text_input(at, label):
    return next(t for t in at.text_input if t.label == label)


def _users(at) -> dict:
    users = frames(at)[0]
    return {r.username: (r.role, None if r.gm_code is None or r.gm_code != r.gm_code else r.gm_code)
            for r in users.itertuples()}


def test_lists_the_six_demo_accounts(seeded_app):
    at = open_page("gebruikers", "beheer")
    assert _users(at) == DEMO
    users = frames(at)[0]
    assert users["is_demo"].all() and users["active"].all()
    assert "password_hash" not in users.columns
    assert len(at.get("download_button")) == 0  # the account list is not exported
    assert dict((u, (r, g)) for u, r, g in sql_rows(seeded_app, "SELECT username, role, gm_code FROM app_user")) == DEMO


def _add_user(at, name, role_label, gm, password):
    _text_input(at, "Gebruikersnaam").input(name)
    next(s for s in at.selectbox if s.label == "Rol").set_value(role_label)
    _text_input(at, "Gemeente (CBS-code, alleen bij rol gemeente)").input(gm)
    next(t for t in at.text_input if t.label.startswith("Tijdelijk wachtwoord")).input(password)
    next(b for b in at.button if b.label == "Toevoegen").click().run()
    return at


def test_add_user(private_app):
    at = open_page("gebruikers", "beheer")
    _add_user(at, "Nieuwe.Collega", "gemeente", "gm0417", "een-lang-wachtwoord")
    assert not at.exception, exception_text(at)
    assert texts(at, "success") == ["Gebruiker Nieuwe.Collega toegevoegd."]
    assert sql_rows(private_app, "SELECT role, gm_code, is_demo FROM app_user WHERE username = 'nieuwe.collega'") == [("gemeente", "GM0417", False)]
    assert sql_scalar(private_app, "SELECT count(*) FROM audit_log WHERE action = 'user_change' AND target = 'nieuwe.collega' "
                                   "AND username = 'beheer'") == 1
    at.run()
    assert len(frames(at)[0]) == 7


def test_add_user_with_short_password_is_refused(private_app):
    at = open_page("gebruikers", "beheer")
    _add_user(at, "kort", "analist", "", "kort")
    assert texts(at, "error") == ["Wachtwoord moet minstens 10 tekens hebben"]
    assert sql_scalar(private_app, "SELECT count(*) FROM app_user") == 6


def test_gemeente_role_needs_known_gemeente(private_app):
    at = open_page("gebruikers", "beheer")
    _add_user(at, "iemand", "gemeente", "GM9999", "een-lang-wachtwoord")
    assert texts(at, "error") == ["Onbekende gemeentecode 'GM9999'"]
    assert sql_scalar(private_app, "SELECT count(*) FROM app_user WHERE username = 'iemand'") == 0


def test_change_role(private_app):
    at = open_page("gebruikers", "beheer")
    _text_input(at, "Gebruikersnaam ").input("ZVH")
    next(s for s in at.selectbox if s.label == "Nieuwe rol").set_value("analist")
    next(b for b in at.button if b.label == "Opslaan").click().run()
    assert texts(at, "success") == ["Opgeslagen."]
    assert sql_scalar(private_app, "SELECT role FROM app_user WHERE username = 'zvh'") == "analist"


def test_role_change_ends_the_users_open_session(private_app):
    """The zvh user has the case list open; beheer makes it analist: its next run is logged out
    (the session carried the old role) and it has to log in again."""
    zvh = open_page("casussen", "zvh")
    assert "persoonssleutel" in frames(zvh)[0].columns
    at = open_page("gebruikers", "beheer")
    _text_input(at, "Gebruikersnaam ").input("zvh")
    next(s for s in at.selectbox if s.label == "Nieuwe rol").set_value("analist")
    next(b for b in at.button if b.label == "Opslaan").click().run()
    assert texts(at, "success") == ["Opgeslagen."]
    zvh.run()
    assert not zvh.exception, exception_text(zvh)
    assert "viewer" not in zvh.session_state and len(zvh.dataframe) == 0
    assert "U bent uitgelogd omdat uw account of rechten zijn gewijzigd. Log opnieuw in." in texts(zvh, "warning")
    assert sql_scalar(private_app, "SELECT count(*) FROM audit_log WHERE action = 'session_revoked' AND username = 'zvh'") == 1
