"""Terugkeermonitor — Streamlit entry point: login, role-based page list, shared sidebar filters.

Run: ``streamlit run app.py`` (see README). The database is created and seeded with synthetic
demo data on first start when it is empty.
"""
from __future__ import annotations

import time

import sqlalchemy as sa
import streamlit as st

from data_access import audit, meta, policy, settings, users
from data_access.setup import init_database, schema_problem, upgrade_database
from ui import components, context
from ui.navigation import PAGE_FILES, PAGE_ICONS, section_of

st.set_page_config(page_title="Terugkeermonitor", page_icon="🧭", layout="wide")

@st.cache_resource(show_spinner=False)
def _ensure_database(url: str) -> str:
    """Create and seed the database on first start (once per process)."""
    eng = context.engine()
    insp = sa.inspect(eng)
    if not insp.has_table("detention") or not insp.has_table("app_user"):
        init_database(eng, sample=True)
    else:
        problem = schema_problem(eng)
        if problem:
            st.error(problem)
            st.stop()
        upgrade_database(eng)  # pending schema migrations (Alembic)
    return meta.data_origin(eng)


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:
        return False


def _logout(reason: str = "logout") -> None:
    v = st.session_state.get("viewer")
    if v is not None:
        audit.log_event(context.engine(), v.username, v.role, reason, None, {})
    for k in list(st.session_state.keys()):  # nothing of this user's session survives a logout
        del st.session_state[k]


def _check_timeout() -> None:
    """Log out after ``TKM_SESSION_TIMEOUT_MIN`` minutes without interaction, and as soon as the
    account is disabled, its role or gemeente changes, or (demo) real data are loaded."""
    if "viewer" not in st.session_state:
        return
    if not users.still_valid(context.engine(), st.session_state["viewer"]):
        _logout("session_revoked")
        st.session_state["revoked_message"] = True
        return
    now = time.time()
    last = st.session_state.get("last_activity", now)
    if now - last > settings.session_timeout_minutes() * 60:
        _logout("session_timeout")
        st.session_state["timeout_message"] = True
    else:
        st.session_state["last_activity"] = now


def _oidc_viewer() -> policy.Viewer | None:
    cfg = st.secrets.get("terugkeermonitor", {}).get("oidc", {})
    if not st.user.is_logged_in:
        return None
    return users.viewer_from_claims(dict(st.user), cfg.get("role_claim", "groups"), dict(cfg.get("role_map", {})), cfg.get("gemeente_claim"))


def login_page() -> None:
    st.title("Terugkeermonitor")
    st.caption("Sturing en monitoring van detentie en terugkeer in regio Gooi en Vechtstreek")
    components.demo_banner()
    if st.session_state.pop("timeout_message", False):
        st.info("U bent automatisch uitgelogd na een periode zonder activiteit. Log opnieuw in.")
    if st.session_state.pop("revoked_message", False):
        st.warning("U bent uitgelogd omdat uw account of rechten zijn gewijzigd. Log opnieuw in.")
    if _oidc_configured():
        if st.user.is_logged_in:
            v = _oidc_viewer()
            if v is None:
                audit.log_event(context.engine(), str(st.user.get("email", "oidc")), None, "login_failed", "oidc", {"reason": "geen geldige rol in claim"})
                st.error("Uw account heeft geen rol in de Terugkeermonitor. Vraag uw beheerder om toegang.")
                st.button("Uitloggen", on_click=st.logout)
                return
            st.session_state["viewer"] = v
            st.session_state["last_activity"] = time.time()
            audit.log_event(context.engine(), v.username, v.role, "login", "oidc", {})
            st.rerun()
        st.button("Inloggen met uw organisatieaccount", on_click=st.login, type="primary")
        return
    with st.form("login"):
        username = st.text_input("Gebruikersnaam")
        password = st.text_input("Wachtwoord", type="password")
        submitted = st.form_submit_button("Inloggen", type="primary")
    if submitted:
        viewer, error = users.authenticate(context.engine(), username, password)
        if viewer is None:
            st.error(error)
        else:
            st.session_state["viewer"] = viewer
            st.session_state["last_activity"] = time.time()
            st.rerun()
    if users.list_users(context.engine()).empty:
        st.info("Er zijn nog geen accounts. Maak op de server een beheerder aan met: "
                "`python cli.py users add NAAM --role beheer` en log daarmee in.")
    if meta.data_origin(context.engine()) == "synthetic":
        with st.expander("Demo-accounts"):
            st.markdown("\n".join(f"- `{u}` / `{p}` — {policy.ROLES[r]}" + (f" ({g})" if g else "") for u, p, r, g in users.DEMO_ACCOUNTS))


def main() -> None:
    with st.spinner("Database voorbereiden (eerste start: synthetische voorbeeldgegevens laden)..."):
        _ensure_database(context.db_url())
    _check_timeout()
    viewer = st.session_state.get("viewer")
    if viewer is None:
        # A deep link (/casussen) shows the login too, and after login opens that page if the role may.
        login_pages = [st.Page(login_page, title="Inloggen", icon=":material/login:", url_path="inloggen", default=True)]
        login_pages += [st.Page(login_page, title="Inloggen", url_path=key, visibility="hidden") for key in policy.PAGES]
        st.navigation(login_pages, position="hidden").run()
        return
    pages: dict[str, list] = {}
    for i, key in enumerate(policy.allowed_pages(viewer)):
        pages.setdefault(section_of(key), []).append(
            st.Page(PAGE_FILES[key], title=policy.PAGES[key], icon=PAGE_ICONS[key], url_path=key, default=(i == 0)))
    nav = st.navigation(pages, expanded=True)
    target = st.session_state.pop(context.AFTER_LOGIN, None)  # a deep link on a fresh server (ui.context)
    if target and policy.may_view_page(viewer, target) and nav.url_path != target:
        st.switch_page(PAGE_FILES[target], query_params=dict(st.query_params))
    with st.sidebar:
        who = policy.ROLES[viewer.role] + (f" · {viewer.gm_code}" if viewer.gm_code else "")
        st.markdown(f"**{viewer.username}**  \n{who}")
        if st.button("Uitloggen", icon=":material/logout:", key="logout"):
            _logout()
            if _oidc_configured():
                st.logout()
            st.rerun()
    components.demo_banner()
    components.filter_bar(viewer)
    nav.run()


main()
