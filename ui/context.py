"""Session context for pages: engine, viewer, filters. The only place pages get them from."""
from __future__ import annotations

from datetime import date

import streamlit as st

from data_access import policy, settings
from data_access.engine import get_engine
from data_access.queries import Filters


def db_url() -> str:
    """The database URL of this app process."""
    return settings.database_url()


def engine():
    """Shared SQLAlchemy engine."""
    return get_engine(db_url())


def viewer(page_key: str | None = None) -> policy.Viewer:
    """The logged-in viewer; stops the page with a message when nobody is logged in."""
    v = st.session_state.get("viewer")
    if not isinstance(v, policy.Viewer):
        _back_to_entry_point(page_key)
        st.warning("U bent niet ingelogd. Ga naar de startpagina om in te loggen.")
        st.stop()
    return v


#: Session key of the page a deep link asked for before login (opened after login when the role may).
AFTER_LOGIN = "after_login"


def _back_to_entry_point(page_key: str | None = None) -> None:
    """A fresh server whose very first request is a deep link (``/casussen``) runs the page file
    on its own, in Streamlit's legacy ``pages/`` mode, before ``app.py`` has registered the
    role-based navigation. Send such a session to ``app.py`` (login, navigation) instead, keeping
    the link's query parameters and remembering the page (app.py opens it after login if allowed)."""
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        if page_key:
            st.session_state[AFTER_LOGIN] = page_key
        st.switch_page("app.py", query_params=dict(st.query_params))


def require_page(page_key: str) -> policy.Viewer:
    """Viewer, after checking the policy allows ``page_key`` (defence in depth beside the menu)."""
    v = viewer(page_key)
    if not policy.may_view_page(v, page_key):
        st.error("U heeft geen toegang tot deze pagina.")
        st.stop()
    return v


def today() -> date:
    """Reference date ("vandaag") of the app; overridable in tests via session state ``today``."""
    return st.session_state.get("today") or settings.reference_date()


def filters() -> Filters:
    """The shared filters set in the sidebar (see :func:`ui.components.filter_bar`)."""
    f = st.session_state.get("filters")
    if f is None:
        from services import core

        f = core.default_filters(engine(), today())
        v = st.session_state.get("viewer")
        if isinstance(v, policy.Viewer) and v.role == "gemeente":
            f = Filters(f.date_from, f.date_to, (v.gm_code,))  # a gemeente starts with its own residents
        st.session_state["filters"] = f
    return f
