"""Session handling in app.py: inactivity timeout and logout are enforced and audited."""
import time
from pathlib import Path

import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from data_access import schema
from data_access.engine import get_engine
from data_access.policy import Viewer
from tests.conftest import TODAY

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def _actions(url, action):
    with get_engine(url).connect() as conn:
        return conn.execute(sa.select(schema.audit_log.c.username).where(schema.audit_log.c.action == action)).scalars().all()


def _private_url(seeded_template, tmp_path):
    import shutil

    path = tmp_path / "s.duckdb"
    shutil.copy(seeded_template, path)
    return f"duckdb:///{path}"


def test_inactive_session_is_logged_out(seeded_template, tmp_path, monkeypatch):
    url = _private_url(seeded_template, tmp_path)
    monkeypatch.setenv("TKM_DATABASE_URL", url)
    monkeypatch.setenv("TKM_SESSION_TIMEOUT_MIN", "30")
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["viewer"] = Viewer("t-zvh", "zvh")
    at.session_state["today"] = TODAY
    at.session_state["last_activity"] = time.time() - 31 * 60
    at.run()
    assert not at.exception
    assert "viewer" not in at.session_state
    assert any("automatisch uitgelogd" in i.value for i in at.info)
    assert [t.label for t in at.text_input] == ["Gebruikersnaam", "Wachtwoord"]
    assert _actions(url, "session_timeout") == ["t-zvh"]


def test_active_session_stays_logged_in(seeded_template, tmp_path, monkeypatch):
    url = _private_url(seeded_template, tmp_path)
    monkeypatch.setenv("TKM_DATABASE_URL", url)
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["viewer"] = Viewer("t-zvh", "zvh")
    at.session_state["today"] = TODAY
    at.session_state["last_activity"] = time.time() - 5 * 60
    at.run()
    assert at.session_state["viewer"].role == "zvh"
    assert at.title[0].value == "Overzicht"

# Logout through the button is tested in a real browser (tests/browser/test_browser_smoke.py):
# AppTest does not register clicks on widgets that app.py renders around st.navigation.
