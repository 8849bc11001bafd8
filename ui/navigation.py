"""Page files and menu icons per page key (titles and who may see a page: data_access.policy)."""

PAGE_FILES = {
    "overzicht": "pages/overzicht.py",
    "instroom": "pages/instroom.py",
    "detentieduur": "pages/detentieduur.py",
    "bereikbaarheid": "pages/bereikbaarheid.py",
    "klantreis": "pages/klantreis.py",
    "basisvoorwaarden": "pages/basisvoorwaarden.py",
    "eigenaarschap": "pages/eigenaarschap.py",
    "gepubliceerd": "pages/gepubliceerd.py",
    "casussen": "pages/casussen.py",
    "import": "pages/importeren.py",
    "datakwaliteit": "pages/datakwaliteit.py",
    "audit": "pages/auditlog.py",
    "gebruikers": "pages/gebruikers.py",
}
PAGE_ICONS = {
    "overzicht": ":material/dashboard:", "instroom": ":material/swap_horiz:", "detentieduur": ":material/schedule:",
    "bereikbaarheid": ":material/map:", "klantreis": ":material/route:", "basisvoorwaarden": ":material/checklist:",
    "eigenaarschap": ":material/assignment_ind:", "gepubliceerd": ":material/fact_check:", "casussen": ":material/list:",
    "import": ":material/upload_file:", "datakwaliteit": ":material/rule:", "audit": ":material/history:", "gebruikers": ":material/group:",
}
