"""Page files and menu icons per page key (titles and who may see a page: data_access.policy)."""

PAGE_FILES = {
    "overzicht": "pages/overzicht.py",
    "kpibord": "pages/kpibord.py",
    "instroom": "pages/instroom.py",
    "detentieduur": "pages/detentieduur.py",
    "bereikbaarheid": "pages/bereikbaarheid.py",
    "klantreis": "pages/klantreis.py",
    "basisvoorwaarden": "pages/basisvoorwaarden.py",
    "eigenaarschap": "pages/eigenaarschap.py",
    "recidive": "pages/recidive.py",
    "interventies": "pages/interventies.py",
    "risicomodel": "pages/risicomodel.py",
    "capaciteit": "pages/capaciteit.py",
    "bezoekplanning": "pages/bezoekplanning.py",
    "verkenning": "pages/verkenning.py",
    "gepubliceerd": "pages/gepubliceerd.py",
    "casussen": "pages/casussen.py",
    "import": "pages/importeren.py",
    "datakwaliteit": "pages/datakwaliteit.py",
    "audit": "pages/auditlog.py",
    "gebruikers": "pages/gebruikers.py",
}
PAGE_ICONS = {
    "overzicht": ":material/dashboard:", "kpibord": ":material/flag:", "instroom": ":material/swap_horiz:", "detentieduur": ":material/schedule:",
    "bereikbaarheid": ":material/map:", "klantreis": ":material/route:", "basisvoorwaarden": ":material/checklist:",
    "eigenaarschap": ":material/assignment_ind:",
    "recidive": ":material/replay:", "interventies": ":material/science:", "risicomodel": ":material/speed:",
    "capaciteit": ":material/tune:", "bezoekplanning": ":material/calendar_month:", "verkenning": ":material/query_stats:", "gepubliceerd": ":material/fact_check:", "casussen": ":material/list:",
    "import": ":material/upload_file:", "datakwaliteit": ":material/rule:", "audit": ":material/history:", "gebruikers": ":material/group:",
}

#: Menu sections (Dutch headers) in menu order; every page key belongs to one.
SECTIONS = {
    "Overzicht en sturing": ("overzicht", "kpibord"),
    "Instroom en plaatsing": ("instroom", "detentieduur", "bereikbaarheid"),
    "Klantreis": ("klantreis", "basisvoorwaarden", "eigenaarschap"),
    "Resultaat": ("recidive", "interventies", "risicomodel"),
    "Planning": ("capaciteit", "bezoekplanning"),
    "Gegevens": ("verkenning", "gepubliceerd", "casussen", "import", "datakwaliteit", "audit", "gebruikers"),
}


def section_of(page_key: str) -> str:
    """The menu section of a page key (raises KeyError for an unknown key)."""
    return next(title for title, keys in SECTIONS.items() if page_key in keys)
