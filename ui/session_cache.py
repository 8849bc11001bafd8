"""Case-level rows kept for one user's session only (issue 10: warm reruns under a second at national scale).

:mod:`ui.cache` (``st.cache_data``) is shared by all sessions, so it never holds case rows. A case list
that a user pages through or sets a threshold on is, however, read again on every rerun: at a million
detentions the risk scores of everyone due for release take about a second to read. This module keeps
the last result per (data version, viewer, parameters) in ``st.session_state``: visible only to the
session that read it, gone at logout (the app clears the session) and replaced when the data version or
the parameters change. Every reuse is written to the audit log like the first read (ARCHITECTURE.md:
case-level access is logged), with ``"herhaald": true`` in its details.
"""
from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from data_access import audit, policy
from data_access.engine import get_engine
from services import outcomes as outcome_service

_KEY = "_case_rows"


def risk_scores(url: str, version: int, viewer: policy.Viewer, card, today: date, horizon_days: int) -> pd.DataFrame:
    """:func:`services.outcomes.risk_scores` (case level, audited; raises ``policy.AccessDenied`` for roles
    without case access), read once per session for the same data ``version``, viewer, model,
    ``today`` and ``horizon_days`` (days); a repeat is audited as ``view_cases`` on ``risicoscores``
    with ``herhaald: true``. Returns the same frame (a copy)."""
    engine = get_engine(url)
    key = ("risicoscores", url, version, viewer.username, viewer.role, viewer.gm_code, id(card), today, int(horizon_days))
    memo = st.session_state.get(_KEY)
    if memo is not None and memo[0] == key:
        frame = memo[1]
        audit.log_event(engine, viewer.username, viewer.role, "view_cases", "risicoscores",
                        dict(horizon_days=int(horizon_days), scope=policy.case_scope(viewer), rows=len(frame), herhaald=True))
        return frame.copy()
    frame = outcome_service.risk_scores(engine, viewer, card, today, int(horizon_days))
    st.session_state[_KEY] = (key, frame)
    return frame.copy()
