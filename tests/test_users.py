import sqlalchemy as sa
import pytest

from data_access import schema, users
from data_access.importers import import_detentions
from tests.conftest import CASES, TODAY


def _audit(eng, action):
    with eng.connect() as conn:
        return conn.execute(sa.select(schema.audit_log.c.username, schema.audit_log.c.details).where(schema.audit_log.c.action == action)).all()


def test_demo_login_and_failed_login_do_not_reveal_existence(fresh_seeded_engine):
    eng = fresh_seeded_engine
    v, err = users.authenticate(eng, "zvh", "demo-zvh")
    assert err is None and v.role == "zvh"
    v1, e1 = users.authenticate(eng, "zvh", "fout")
    v2, e2 = users.authenticate(eng, "bestaat-niet", "fout")
    assert v1 is None and v2 is None and e1 == e2 == users.LOGIN_FAILED_NL
    failed = _audit(eng, "login_failed")
    assert {r[0] for r in failed} >= {"zvh", "bestaat-niet"}
    assert len(_audit(eng, "login")) == 1


def test_password_hash_is_argon2_and_not_plain(fresh_seeded_engine):
    with fresh_seeded_engine.connect() as conn:
        hashes = conn.execute(sa.select(schema.app_user.c.password_hash)).scalars().all()
    assert hashes and all(h.startswith("$argon2id$") for h in hashes)
    assert not any("demo" in h for h in hashes)


def test_demo_accounts_refused_once_real_data_loaded(fresh_seeded_engine):
    from data_access import meta

    eng = fresh_seeded_engine
    with eng.begin() as conn:  # e.g. a database where demo accounts were left behind
        meta.set_meta(conn, "data_origin", "real")
    v, err = users.authenticate(eng, "zvh", "demo-zvh")
    assert v is None and err == users.DEMO_REFUSED_NL


def test_purge_removes_demo_accounts(fresh_seeded_engine):
    from data_access.setup import purge_demo

    purge_demo(fresh_seeded_engine)
    import_detentions(fresh_seeded_engine, (CASES / "detenties_utf8_bom.csv").read_bytes(), "echt.csv", today=TODAY)
    assert users.authenticate(fresh_seeded_engine, "zvh", "demo-zvh") == (None, users.LOGIN_FAILED_NL)


def test_user_management(empty_engine):
    eng = empty_engine
    users.add_user(eng, "Marieke", "een-lang-wachtwoord", "gemeente", "GM0406")
    v, _ = users.authenticate(eng, "marieke", "een-lang-wachtwoord")
    assert (v.role, v.gm_code) == ("gemeente", "GM0406")
    users.set_role(eng, "marieke", "analist")
    users.reset_password(eng, "marieke", "nog-een-wachtwoord")
    v, _ = users.authenticate(eng, "marieke", "nog-een-wachtwoord")
    assert v.role == "analist" and v.gm_code is None
    users.set_active(eng, "marieke", False)
    assert users.authenticate(eng, "marieke", "nog-een-wachtwoord")[0] is None
    with pytest.raises(users.UserError):
        users.add_user(eng, "marieke", "een-lang-wachtwoord", "zvh")
    with pytest.raises(users.UserError):
        users.add_user(eng, "kort", "kort", "zvh")
    with pytest.raises(users.UserError):
        users.add_user(eng, "x", "een-lang-wachtwoord", "gemeente", "GM9999")
    with pytest.raises(users.UserError):
        users.add_user(eng, "y", "een-lang-wachtwoord", "superuser")


def test_oidc_claims_mapping():
    role_map = {"tkm-zvh": "zvh", "tkm-huizen": "gemeente:GM0406", "tkm-bad": "root"}
    v = users.viewer_from_claims({"email": "a@b.nl", "groups": ["other", "tkm-zvh"]}, "groups", role_map)
    assert (v.username, v.role) == ("a@b.nl", "zvh")
    v = users.viewer_from_claims({"sub": "x", "groups": "tkm-huizen"}, "groups", role_map)
    assert (v.role, v.gm_code) == ("gemeente", "GM0406")
    # an unknown or wrong role gives no access, never a default role
    assert users.viewer_from_claims({"groups": ["something"]}, "groups", role_map) is None
    assert users.viewer_from_claims({"groups": ["tkm-bad"]}, "groups", role_map) is None
    assert users.viewer_from_claims({}, "groups", role_map) is None


def test_last_admin_cannot_demote_or_disable_itself(empty_engine):
    users.add_user(empty_engine, "admin1", "een-lang-wachtwoord", "beheer")
    with pytest.raises(users.UserError, match="laatste actieve beheerder"):
        users.set_role(empty_engine, "admin1", "bestuur")
    with pytest.raises(users.UserError, match="laatste actieve beheerder"):
        users.set_active(empty_engine, "admin1", False)
    users.add_user(empty_engine, "admin2", "een-lang-wachtwoord", "beheer")
    users.set_role(empty_engine, "admin1", "bestuur")  # now allowed


def test_still_valid(fresh_seeded_engine):
    from data_access.policy import Viewer

    eng = fresh_seeded_engine
    assert users.still_valid(eng, Viewer("zvh", "zvh"))
    assert not users.still_valid(eng, Viewer("zvh", "bestuur"))  # role differs from the account
    assert not users.still_valid(eng, Viewer("onbekend", "zvh"))
    assert users.still_valid(eng, Viewer("a@b.nl", "zvh", source="oidc"))


def test_lockout_after_repeated_failures(fresh_seeded_engine):
    eng = fresh_seeded_engine
    for _ in range(users.MAX_FAILED_LOGINS):
        assert users.authenticate(eng, "zvh", "fout")[0] is None
    # the right password is refused now too, with the same message (no hint that it was right)
    assert users.authenticate(eng, "zvh", "demo-zvh") == (None, users.LOGIN_FAILED_NL)
    assert users.authenticate(eng, "analist", "demo-analist")[0] is not None  # other accounts unaffected


def test_username_rules(empty_engine):
    for bad in ("a b", "x'; drop", "", "A" * 100):
        with pytest.raises(users.UserError):
            users.add_user(empty_engine, bad, "een-lang-wachtwoord", "zvh")
