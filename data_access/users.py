"""Local accounts (embedded default when no OIDC provider is configured).

Passwords are hashed with argon2id (argon2-cffi, OWASP-recommended; salted and slow), never
stored or logged in clear. Demo accounts (``is_demo``) work only while the database holds
synthetic demo data only (:func:`data_access.meta.data_origin` == ``'synthetic'``).
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import pandas as pd
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from data_access import audit, meta, schema
from data_access.policy import ROLES, Viewer

_hasher = PasswordHasher()
# Verified against when the user does not exist, so that timing does not reveal existence.
_DUMMY_HASH = _hasher.hash("geen-gebruiker")

MIN_PASSWORD_LENGTH = 10
#: Lock-out against password guessing (OWASP ASVS 2.2.1): after this many failed logins for one
#: username within the window, further attempts are refused (with the same message) until it passes.
MAX_FAILED_LOGINS = 5
LOCKOUT_MINUTES = 15
USERNAME_PATTERN = r"^[a-z0-9][a-z0-9._@-]{1,79}$"

#: Demo logins (username, password, role, gm_code). Listed in the README.
DEMO_ACCOUNTS: tuple[tuple[str, str, str, str | None], ...] = (
    ("bestuur", "demo-bestuur", "bestuur", None),
    ("zvh", "demo-zvh", "zvh", None),
    ("gemeente-huizen", "demo-gemeente", "gemeente", "GM0406"),
    ("gemeente-hilversum", "demo-gemeente", "gemeente", "GM0402"),
    ("analist", "demo-analist", "analist", None),
    ("beheer", "demo-beheer", "beheer", None),
)

LOGIN_FAILED_NL = "Inloggen mislukt: gebruikersnaam of wachtwoord onjuist."
DEMO_REFUSED_NL = "Demo-accounts zijn uitgeschakeld omdat de database echte gegevens bevat."


class UserError(ValueError):
    """Invalid user management request (Dutch message)."""


def _validate(role: str, gm_code: str | None, conn: sa.Connection) -> None:
    if role not in ROLES:
        raise UserError(f"Onbekende rol {role!r}; kies uit: {', '.join(ROLES)}")
    if role == "gemeente":
        if not gm_code:
            raise UserError("Rol gemeente vraagt een gemeente (CBS-code, bijv. GM0406)")
        if conn.execute(sa.select(schema.municipality.c.gm_code).where(schema.municipality.c.gm_code == gm_code)).scalar() is None:
            raise UserError(f"Onbekende gemeentecode {gm_code!r}")
    elif gm_code:
        raise UserError("Alleen de rol gemeente heeft een gemeente")


def add_user(engine: sa.Engine, username: str, password: str, role: str, gm_code: str | None = None,
             is_demo: bool = False, actor: str = "cli") -> None:
    """Create a local account. Raises :class:`UserError` (exists, weak password, bad role)."""
    username = username.strip().lower()
    if not re.match(USERNAME_PATTERN, username):
        raise UserError("Gebruikersnaam: 2 tot 80 tekens, alleen kleine letters, cijfers en . _ @ -")
    if len(password) < MIN_PASSWORD_LENGTH and not is_demo:
        raise UserError(f"Wachtwoord moet minstens {MIN_PASSWORD_LENGTH} tekens hebben")
    with engine.begin() as conn:
        _validate(role, gm_code, conn)
        if conn.execute(sa.select(schema.app_user.c.username).where(schema.app_user.c.username == username)).scalar():
            raise UserError(f"Gebruiker {username!r} bestaat al")
        conn.execute(schema.app_user.insert(), [dict(username=username, password_hash=_hasher.hash(password), role=role,
                                                     gm_code=gm_code, active=True, is_demo=is_demo,
                                                     created_at=datetime.now().replace(microsecond=0))])
        audit.log_event(conn, actor, None, "user_change", username, dict(change="add", role=role, gm_code=gm_code))


def _require(conn: sa.Connection, username: str) -> None:
    if conn.execute(sa.select(schema.app_user.c.username).where(schema.app_user.c.username == username)).scalar() is None:
        raise UserError(f"Gebruiker {username!r} bestaat niet")


def set_role(engine: sa.Engine, username: str, role: str, gm_code: str | None = None, actor: str = "cli") -> None:
    """Change role and gemeente of an account. Raises :class:`UserError`."""
    with engine.begin() as conn:
        _require(conn, username)
        _validate(role, gm_code, conn)
        if role != "beheer" and _active_admins(conn) == [username]:
            raise UserError("Dit is de laatste actieve beheerder; maak eerst een andere beheerder aan")
        conn.execute(schema.app_user.update().where(schema.app_user.c.username == username).values(role=role, gm_code=gm_code))
        audit.log_event(conn, actor, None, "user_change", username, dict(change="role", role=role, gm_code=gm_code))


def reset_password(engine: sa.Engine, username: str, password: str, actor: str = "cli") -> None:
    """Set a new password. Raises :class:`UserError`."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"Wachtwoord moet minstens {MIN_PASSWORD_LENGTH} tekens hebben")
    with engine.begin() as conn:
        _require(conn, username)
        conn.execute(schema.app_user.update().where(schema.app_user.c.username == username).values(password_hash=_hasher.hash(password)))
        audit.log_event(conn, actor, None, "user_change", username, dict(change="password"))


def set_active(engine: sa.Engine, username: str, active: bool, actor: str = "cli") -> None:
    """Enable or disable an account. Raises :class:`UserError`."""
    with engine.begin() as conn:
        _require(conn, username)
        if not active and _active_admins(conn) == [username]:
            raise UserError("Dit is de laatste actieve beheerder; maak eerst een andere beheerder aan")
        conn.execute(schema.app_user.update().where(schema.app_user.c.username == username).values(active=active))
        audit.log_event(conn, actor, None, "user_change", username, dict(change="active", active=active))


def list_users(engine: sa.Engine) -> pd.DataFrame:
    """Accounts without hashes: username, role, gm_code, active, is_demo, created_at."""
    u = schema.app_user
    with engine.connect() as conn:
        return pd.read_sql(sa.select(u.c.username, u.c.role, u.c.gm_code, u.c.active, u.c.is_demo, u.c.created_at).order_by(u.c.username), conn)


def ensure_demo_accounts(engine: sa.Engine) -> int:
    """Create the demo accounts that do not exist yet; returns how many were created."""
    created = 0
    with engine.connect() as conn:
        existing = set(conn.execute(sa.select(schema.app_user.c.username)).scalars())
    for username, password, role, gm in DEMO_ACCOUNTS:
        if username not in existing:
            add_user(engine, username, password, role, gm, is_demo=True, actor="init")
            created += 1
    return created


def authenticate(engine: sa.Engine, username: str, password: str) -> tuple[Viewer | None, str | None]:
    """Check a local login. Returns ``(viewer, None)`` or ``(None, dutch_message)``.

    Every outcome is audited (``login`` / ``login_failed``). The message for an unknown user and a
    wrong password is the same, and a hash is verified in both cases (no user enumeration).
    """
    name = (username or "").strip().lower()
    u, a = schema.app_user, schema.audit_log
    since = datetime.now() - timedelta(minutes=LOCKOUT_MINUTES)
    with engine.connect() as conn:
        row = conn.execute(sa.select(u).where(u.c.username == name)).mappings().first()
        origin = meta.get_meta(conn, "data_origin", "empty")
        recent_failures = conn.execute(sa.select(sa.func.count()).select_from(a).where(
            a.c.username == (name or "(leeg)"), a.c.action == "login_failed", a.c.ts >= since)).scalar()
    if recent_failures >= MAX_FAILED_LOGINS:
        audit.log_event(engine, name or "(leeg)", None, "login_failed", "lokaal", {"reason": "tijdelijk geblokkeerd"})
        return None, LOGIN_FAILED_NL
    ok = False
    try:
        ok = _hasher.verify(row["password_hash"] if row else _DUMMY_HASH, password or "") and row is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    if not ok or not row["active"]:
        audit.log_event(engine, name or "(leeg)", None, "login_failed", "lokaal", {"reason": "onjuiste combinatie of inactief"})
        return None, LOGIN_FAILED_NL
    if row["is_demo"] and origin != "synthetic":
        audit.log_event(engine, name, row["role"], "login_failed", "lokaal", {"reason": "demo-account bij echte gegevens"})
        return None, DEMO_REFUSED_NL
    viewer = Viewer(username=name, role=row["role"], gm_code=row["gm_code"])
    audit.log_event(engine, name, row["role"], "login", "lokaal", {})
    return viewer, None


def still_valid(engine: sa.Engine, viewer: Viewer) -> bool:
    """Re-check a logged-in local account on every page run: it must still exist, be active,
    have the same role and gemeente, and (demo accounts) the database must still be demo-only.
    OIDC viewers (``source == 'oidc'``) are vouched for by the identity provider."""
    if viewer.source == "oidc":
        return True
    u = schema.app_user
    with engine.connect() as conn:
        row = conn.execute(sa.select(u.c.role, u.c.gm_code, u.c.active, u.c.is_demo).where(u.c.username == viewer.username)).first()
        origin = meta.get_meta(conn, "data_origin", "empty")
    if row is None or not row.active or row.role != viewer.role or (row.gm_code or None) != (viewer.gm_code or None):
        return False
    return not (row.is_demo and origin != "synthetic")


def _active_admins(conn: sa.Connection) -> list[str]:
    u = schema.app_user
    return list(conn.execute(sa.select(u.c.username).where(u.c.role == "beheer", u.c.active.is_(True))).scalars())


def viewer_from_claims(claims: dict, role_claim: str, role_map: dict[str, str], gm_claim: str | None = None) -> Viewer | None:
    """Map OIDC claims (``st.user``) to a viewer; None (no access) when no claim maps to a role.

    ``role_claim``: claim holding a group/role name or a list of them (e.g. ``groups``, ``roles``).
    ``role_map``: claim value -> app role, from configuration. An unknown value gives no access,
    never a default role. For role ``gemeente`` the gemeente comes from ``gm_claim`` or from a map
    value ``gemeente:GM0406``.
    """
    values = claims.get(role_claim)
    if values is None:
        return None
    if isinstance(values, str):
        values = [values]
    for v in values:
        mapped = role_map.get(str(v))
        if not mapped:
            continue
        role, _, gm = mapped.partition(":")
        if role not in ROLES:
            return None
        if role == "gemeente":
            gm = gm or (claims.get(gm_claim) if gm_claim else None)
            if not gm:
                return None
        username = str(claims.get("email") or claims.get("preferred_username") or claims.get("sub") or "oidc")
        return Viewer(username=username, role=role, gm_code=gm or None, source="oidc")
    return None
