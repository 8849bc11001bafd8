"""Gebruikers: local accounts (beheer only). With OIDC, roles come from the identity provider."""
import streamlit as st

from data_access import policy, users
from ui import components as ui, context

viewer = context.require_page("gebruikers")
ui.page_header("Gebruikers", "Wie heeft welke rol? Lokale accounts toevoegen, rol wijzigen, wachtwoord opnieuw instellen.")
eng = context.engine()
st.dataframe(users.list_users(eng), hide_index=True, width="stretch",
             column_config={"username": "Gebruikersnaam", "role": "Rol", "gm_code": "Gemeente", "active": "Actief",
                            "is_demo": "Demo-account", "created_at": st.column_config.DatetimeColumn("Aangemaakt", format="DD-MM-YYYY HH:mm")})

with st.form("add_user", clear_on_submit=True):
    st.subheader("Gebruiker toevoegen")
    c1, c2, c3 = st.columns(3)
    name = c1.text_input("Gebruikersnaam")
    role = c2.selectbox("Rol", list(policy.ROLES), format_func=policy.ROLES.get)
    gm = c3.text_input("Gemeente (CBS-code, alleen bij rol gemeente)", placeholder="GM0406")
    pw = st.text_input(f"Tijdelijk wachtwoord (minstens {users.MIN_PASSWORD_LENGTH} tekens)", type="password")
    if st.form_submit_button("Toevoegen", type="primary"):
        try:
            users.add_user(eng, name, pw, role, gm.strip().upper() or None, actor=viewer.username)
            st.success(f"Gebruiker {name} toegevoegd.")
        except users.UserError as exc:
            st.error(str(exc))

with st.form("reset"):
    st.subheader("Wachtwoord opnieuw instellen of rol wijzigen")
    c1, c2, c3 = st.columns(3)
    who = c1.text_input("Gebruikersnaam ")
    new_role = c2.selectbox("Nieuwe rol", [""] + list(policy.ROLES), format_func=lambda r: policy.ROLES.get(r, "ongewijzigd"))
    new_gm = c3.text_input("Gemeente (bij rol gemeente)")
    new_pw = st.text_input("Nieuw wachtwoord (leeg = ongewijzigd)", type="password")
    if st.form_submit_button("Opslaan"):
        try:
            if new_role:
                users.set_role(eng, who.strip().lower(), new_role, new_gm.strip().upper() or None, actor=viewer.username)
            if new_pw:
                users.reset_password(eng, who.strip().lower(), new_pw, actor=viewer.username)
            st.success("Opgeslagen.")
        except users.UserError as exc:
            st.error(str(exc))
