"""The one place that decides what a role may see (ARCHITECTURE.md "Privacy (AVG) and access").

Roles
-----
``bestuur``   Directieoverleg: aggregates only, always through disclosure control.
``zvh``       Zorg- en Veiligheidshuis: case level, all gemeenten.
``gemeente``  contact person of one gemeente: case level for that gemeente only; regional
              aggregates through disclosure control (own gemeente alone: unsuppressed).
``analist``   pseudonymised rows (analysis key instead of the person key, birth year banded),
              aggregates unsuppressed on screen; exports suppressed.
``beheer``    import, users, reference data, audit log; aggregates through disclosure control.

Pages ask :func:`allowed_pages`; queries ask :func:`case_scope`; tables ask
:func:`needs_disclosure`. Nothing else in the code base decides these questions.
"""
from __future__ import annotations

from dataclasses import dataclass

ROLES: dict[str, str] = {
    "bestuur": "Bestuur (Directieoverleg / DVC)",
    "zvh": "Zorg- en Veiligheidshuis",
    "gemeente": "Gemeente (contactpersoon)",
    "analist": "Analist",
    "beheer": "Beheer",
}

#: page key -> Dutch title. The order is the menu order.
PAGES: dict[str, str] = {
    "overzicht": "Overzicht",
    "kpibord": "KPI-bord",
    "instroom": "Instroom en uitstroom",
    "detentieduur": "Detentieduur",
    "bereikbaarheid": "Bereikbaarheid",
    "klantreis": "Klantreis",
    "basisvoorwaarden": "Basisvoorwaarden",
    "eigenaarschap": "Eigenaarschap",
    "recidive": "Recidive",
    "interventies": "Interventies",
    "risicomodel": "Risicomodel",
    "capaciteit": "Capaciteit (wat als)",
    "bezoekplanning": "Bezoekplanning",
    "verkenning": "Verkenning",
    "gepubliceerd": "Gepubliceerde cijfers",
    "casussen": "Casuslijst",
    "import": "Gegevens importeren",
    "datakwaliteit": "Datakwaliteit",
    "audit": "Auditlog",
    "gebruikers": "Gebruikers",
}

_AGGREGATE_PAGES = ("overzicht", "kpibord", "instroom", "detentieduur", "bereikbaarheid", "klantreis", "basisvoorwaarden", "eigenaarschap",
                    "recidive", "interventies", "risicomodel", "capaciteit", "verkenning", "gepubliceerd")
_ROLE_PAGES: dict[str, tuple[str, ...]] = {
    "bestuur": _AGGREGATE_PAGES,
    "zvh": _AGGREGATE_PAGES + ("casussen", "bezoekplanning", "import", "datakwaliteit"),
    "gemeente": _AGGREGATE_PAGES + ("casussen",),
    "analist": _AGGREGATE_PAGES + ("casussen",),
    "beheer": _AGGREGATE_PAGES + ("import", "datakwaliteit", "audit", "gebruikers"),
}
_CASE_ROLES = ("zvh", "gemeente", "analist")


class AccessDenied(PermissionError):
    """Raised when a viewer asks for something their role may not see (Dutch message)."""


@dataclass(frozen=True)
class Viewer:
    """Who is looking. ``gm_code`` is set only for role ``gemeente``."""

    username: str
    role: str
    gm_code: str | None = None
    source: str = "lokaal"  # 'lokaal' (local account) or 'oidc'

    def __post_init__(self):
        if self.role not in ROLES:
            raise AccessDenied(f"Onbekende rol {self.role!r}: geen toegang")
        if self.role == "gemeente" and not self.gm_code:
            raise AccessDenied("Rol gemeente zonder gemeente: geen toegang")

    @property
    def cache_key(self) -> tuple[str, str | None]:
        """What this viewer may see (role + gemeente); use it in cache keys, never the username."""
        return (self.role, self.gm_code)


#: The most restricted viewer: used by the CLI when no ``--role`` is given.
MOST_RESTRICTED = Viewer(username="cli", role="bestuur")


def allowed_pages(viewer: Viewer) -> tuple[str, ...]:
    """Page keys this viewer may open, in menu order (the order of :data:`PAGES`)."""
    allowed = set(_ROLE_PAGES[viewer.role])
    return tuple(k for k in PAGES if k in allowed)


def may_view_page(viewer: Viewer, page: str) -> bool:
    """True when ``page`` is in the viewer's page list."""
    return page in allowed_pages(viewer)


def has_case_access(viewer: Viewer) -> bool:
    """True for roles that may see case-level (pseudonymous) rows."""
    return viewer.role in _CASE_ROLES


def case_scope(viewer: Viewer) -> tuple[str, ...] | None:
    """Gemeenten whose case rows this viewer may read: ``None`` means all.

    Raises :class:`AccessDenied` for roles without case access.
    """
    if not has_case_access(viewer):
        raise AccessDenied(f"De rol {viewer.role} heeft geen toegang tot casusgegevens")
    if viewer.role == "gemeente":
        return (viewer.gm_code,)
    return None


def needs_disclosure(viewer: Viewer, gm_filter: tuple[str, ...] | None = None, export: bool = False) -> bool:
    """Must an aggregate for ``gm_filter`` (None = whole region) pass disclosure control?

    Exports always do (they leave the system). On screen: not for ``zvh`` and ``analist``;
    for ``gemeente`` only when the aggregate covers more than its own gemeente.
    """
    if export:
        return True
    if viewer.role in ("zvh", "analist"):
        return False
    if viewer.role == "gemeente" and gm_filter is not None and tuple(gm_filter) == (viewer.gm_code,):
        return False
    return True


def gemeente_filter_choices(viewer: Viewer) -> str:
    """Which gemeente selections the viewer may make in the shared filter.

    ``'any'``: any set of gemeenten (roles with case access to all gemeenten: zvh, analist).
    ``'region_or_own'``: the whole region or only the own gemeente (gemeente).
    ``'region'``: the whole region only (bestuur, beheer). Per-gemeente figures appear as rows
    of tables that pass disclosure control as a whole; free selections would allow recovering a
    hidden cell by differencing two selections (e.g. Huizen+Laren minus Huizen).
    """
    if viewer.role in ("zvh", "analist"):
        return "any"
    if viewer.role == "gemeente":
        return "region_or_own"
    return "region"


def known_gemeente(viewer: Viewer, gm_filter: tuple[str, ...] | None) -> str | None:
    """The gemeente whose counts this viewer already knows exactly while looking at a
    suppressed regional aggregate (its own, for role gemeente); None otherwise. Disclosure
    control then protects the counts of the *other* gemeenten."""
    if viewer.role == "gemeente" and needs_disclosure(viewer, gm_filter):
        return viewer.gm_code
    return None


def case_columns(viewer: Viewer) -> tuple[str, ...]:
    """Columns of the case list this viewer may see (raises :class:`AccessDenied`)."""
    case_scope(viewer)
    if viewer.role == "analist":
        # generalised: month instead of exact dates, 5-year birth band, a key that links to nothing else
        return ("analysesleutel", "geboortejaar_klasse", "gemeente", "inrichting", "maand_aanvang", "maand_einde",
                "verwachte_maand_einde", "duur_dagen", "duurklasse")
    return ("persoonssleutel", "geboortejaar", "gemeente", "inrichting", "datum_aanvang", "datum_einde",
            "verwachte_einddatum", "duur_dagen", "duurklasse")


def may_manage(viewer: Viewer, what: str) -> bool:
    """May the viewer change ``what``: 'import', 'users', 'reference', 'audit', 'targets', 'scenarios'
    (save capacity scenarios: the ZVH plans, the Directieoverleg weighs them)."""
    return {
        "import": viewer.role in ("zvh", "beheer"),
        "users": viewer.role == "beheer",
        "reference": viewer.role == "beheer",
        "audit": viewer.role == "beheer",
        "targets": viewer.role == "bestuur",
        "scenarios": viewer.role in ("zvh", "bestuur"),
    }.get(what, False)
