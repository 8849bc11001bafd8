"""Auditlog: who looked at or changed what, when (beheer only)."""
from datetime import datetime, time, timedelta

import streamlit as st

from data_access import audit
from ui import components as ui, context

viewer = context.require_page("audit")
ui.page_header("Auditlog", "Wie heeft wanneer casusgegevens bekeken, geïmporteerd, geëxporteerd of ingelogd?")
c1, c2, c3 = st.columns(3)
user = c1.text_input("Gebruiker", placeholder="alle gebruikers")
action = c2.selectbox("Handeling", [""] + list(audit.ACTIONS_NL), format_func=lambda a: audit.ACTIONS_NL.get(a, "alle handelingen"))
since = c3.date_input("Vanaf", value=context.today() - timedelta(days=30), format="DD-MM-YYYY")
log = audit.read_log(context.engine(), username=user.strip().lower() or None, action=action or None,
                     since=datetime.combine(since, time.min))
if log.empty:
    ui.empty_state("Geen regels voor deze selectie. Pas de filters aan.")
    st.stop()
log["action"] = log["action"].map(lambda a: audit.ACTIONS_NL.get(a, a))
log = log.rename(columns={"ts": "Tijdstip", "username": "Gebruiker", "role": "Rol", "action": "Handeling", "target": "Onderwerp", "details": "Details"})
st.write(f"{len(log)} regels (nieuwste eerst, maximaal 1.000).")
st.dataframe(log, hide_index=True, width="stretch", column_config={"Tijdstip": st.column_config.DatetimeColumn(format="DD-MM-YYYY HH:mm:ss")})
ui.downloads(viewer, log, "auditlog", index=False)
