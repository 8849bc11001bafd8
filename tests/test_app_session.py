"""Session handling in app.py: inactivity timeout and logout are enforced and audited."""
import time
from pathlib import Path

import sqlalchemy as sa
import pytest
from streamlit.testing.v1 import AppTest

from data_access import schema
from data_access.engine import get_engine
from data_access.policy import Viewer
from tests.conftest import TODAY
from tests.pagetest_helpers import _navigation_mode

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture(autouse=True)
def navigation_mode(monkeypatch):
    """Every AppTest run goes through app.py, as on a server (see tests/pagetest_helpers.py)."""
    _navigation_mode(monkeypatch)


def _actions(url, action):
    with get_engine(url).connect() as conn:
        return conn.execute(sa.select(schema.audit_log.c.username).where(schema.audit_log.c.action == action)).scalars().all()


@pytest.fixture
def app_for(seeded_template, tmp_path, monkeypatch):
    """(url, make) -- make(viewer, **session) builds an AppTest of app.py on a private database copy."""
    url = _private_url(seeded_template, tmp_path)
    monkeypatch.setenv("TKM_DATABASE_URL", url)

    def make(viewer, **session):
        at = AppTest.from_file(APP, default_timeout=60)
        at.session_state["viewer"] = viewer
        at.session_state["today"] = TODAY
        for k, v in session.items():
            at.session_state[k] = v
        return at

    return url, make


def _private_url(seeded_template, tmp_path):
    import shutil

    path = tmp_path / "s.duckdb"
    shutil.copy(seeded_template, path)
    return f"duckdb:///{path}"


def test_inactive_session_is_logged_out(app_for, monkeypatch):
    url, make = app_for
    at = make(Viewer("zvh", "zvh"), last_activity=time.time() - 31 * 60)
    monkeypatch.setenv("TKM_SESSION_TIMEOUT_MIN", "30")
    at.run()
    assert not at.exception
    assert "viewer" not in at.session_state
    assert any("automatisch uitgelogd" in i.value for i in at.info)
    assert [t.label for t in at.text_input] == ["Gebruikersnaam", "Wachtwoord"]
    assert _actions(url, "session_timeout") == ["zvh"]


def test_active_session_stays_logged_in(app_for):
    _, make = app_for
    at = make(Viewer("zvh", "zvh"), last_activity=time.time() - 5 * 60)
    at.run()
    assert at.session_state["viewer"].role == "zvh"
    assert at.title[0].value == "Overzicht"


def test_logout_button(app_for):
    url, make = app_for
    at = make(Viewer("bestuur", "bestuur"))
    at.run()
    at.button(key="logout").click().run()
    assert "viewer" not in at.session_state
    assert _actions(url, "logout") == ["bestuur"]


def test_session_ends_when_role_changes_or_demo_is_disabled(app_for):
    url, make = app_for
    at = make(Viewer("beheer", "beheer"))
    from data_access import users

    at.run()
    assert at.title[0].value == "Overzicht"
    users.add_user(get_engine(url), "tweede-beheer", "een-lang-wachtwoord", "beheer")
    users.set_role(get_engine(url), "beheer", "bestuur")  # e.g. it demoted itself on Gebruikers
    at.run()
    assert "viewer" not in at.session_state
    assert any("rechten zijn gewijzigd" in w.value for w in at.warning)
    assert _actions(url, "session_revoked") == ["beheer"]


def test_unknown_local_account_is_not_accepted(app_for):
    url, make = app_for
    at = make(Viewer("bestaat-niet", "zvh"))
    at.run()
    assert "viewer" not in at.session_state
