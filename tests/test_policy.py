import pytest

from data_access import policy
from data_access.policy import AccessDenied, Viewer


def test_pages_per_role():
    assert policy.allowed_pages(Viewer("b", "bestuur")) == ("overzicht", "kpibord", "instroom", "detentieduur", "bereikbaarheid", "klantreis",
                                                            "basisvoorwaarden", "eigenaarschap", "recidive", "interventies",
                                                            "risicomodel", "capaciteit", "verkenning", "gepubliceerd")
    assert "casussen" in policy.allowed_pages(Viewer("z", "zvh"))
    assert "audit" not in policy.allowed_pages(Viewer("z", "zvh"))
    assert "audit" in policy.allowed_pages(Viewer("b", "beheer"))
    assert "casussen" not in policy.allowed_pages(Viewer("b", "beheer"))
    assert "import" not in policy.allowed_pages(Viewer("g", "gemeente", "GM0406"))


def test_data_quality_page_for_zvh_and_beheer():
    assert policy.PAGES["datakwaliteit"] == "Datakwaliteit"
    assert policy.allowed_pages(Viewer("z", "zvh"))[-2:] == ("import", "datakwaliteit")
    assert policy.allowed_pages(Viewer("b", "beheer"))[-4:] == ("import", "datakwaliteit", "audit", "gebruikers")
    for viewer in (Viewer("b", "bestuur"), Viewer("g", "gemeente", "GM0406"), Viewer("a", "analist")):
        assert not policy.may_view_page(viewer, "datakwaliteit")
    assert list(policy.PAGES).index("datakwaliteit") == list(policy.PAGES).index("import") + 1  # menu order


def test_case_scope():
    assert policy.case_scope(Viewer("z", "zvh")) is None
    assert policy.case_scope(Viewer("g", "gemeente", "GM0406")) == ("GM0406",)
    for role in ("bestuur", "beheer"):
        with pytest.raises(AccessDenied):
            policy.case_scope(Viewer("x", role))


def test_unknown_role_and_gemeente_without_code_have_no_access():
    with pytest.raises(AccessDenied):
        Viewer("x", "admin")
    with pytest.raises(AccessDenied):
        Viewer("x", "gemeente", None)


def test_needs_disclosure():
    g = Viewer("g", "gemeente", "GM0406")
    assert policy.needs_disclosure(Viewer("b", "bestuur")) is True
    assert policy.needs_disclosure(Viewer("z", "zvh")) is False
    assert policy.needs_disclosure(Viewer("z", "zvh"), export=True) is True
    assert policy.needs_disclosure(g, ("GM0406",)) is False
    assert policy.needs_disclosure(g, None) is True
    assert policy.needs_disclosure(g, ("GM0406", "GM0402")) is True


def test_columns_per_role():
    assert "analysesleutel" in policy.case_columns(Viewer("a", "analist"))
    assert "persoonssleutel" not in policy.case_columns(Viewer("a", "analist"))
    assert "persoonssleutel" in policy.case_columns(Viewer("z", "zvh"))


def test_cache_key_ignores_username():
    assert Viewer("a", "zvh").cache_key == Viewer("b", "zvh").cache_key
    assert Viewer("a", "gemeente", "GM0406").cache_key != Viewer("a", "gemeente", "GM0402").cache_key


def test_klantreis_pages_for_every_role():
    assert [policy.PAGES[k] for k in ("klantreis", "basisvoorwaarden", "eigenaarschap")] == ["Klantreis", "Basisvoorwaarden", "Eigenaarschap"]
    for viewer in (Viewer("b", "bestuur"), Viewer("z", "zvh"), Viewer("g", "gemeente", "GM0406"), Viewer("a", "analist"),
                   Viewer("h", "beheer")):
        pages = policy.allowed_pages(viewer)
        assert pages.index("klantreis") == pages.index("bereikbaarheid") + 1  # menu order
        assert pages[pages.index("klantreis"):pages.index("klantreis") + 3] == ("klantreis", "basisvoorwaarden", "eigenaarschap")


def test_every_page_is_in_exactly_one_menu_section():
    from ui.navigation import PAGE_FILES, SECTIONS, section_of

    keys = [k for section in SECTIONS.values() for k in section]
    assert sorted(keys) == sorted(policy.PAGES) == sorted(PAGE_FILES) and len(keys) == len(set(keys))
    assert section_of("recidive") == "Resultaat"
