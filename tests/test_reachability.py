import pandas as pd
import pytest

from data_access.reference import default_origin, read_reference_csv
from metrics.reachability import concurrent_population, haversine_km, institution_distances, ranked_institutions, within_radius


@pytest.fixture
def distances():
    inst = read_reference_csv("inrichtingen.csv")
    inst["lat"], inst["lon"] = inst["lat"].astype(float), inst["lon"].astype(float)
    inst["borderline_60km"] = inst["borderline_60km"] == "yes"
    o = default_origin()
    return institution_distances(inst, o.lat, o.lon)


def test_haversine_known_distance():
    # Hilversum centre -> Nieuwegein town centroid, checked by hand: about 22.6 km
    assert haversine_km(52.2257, 5.1813, 52.0311, 5.0844) == pytest.approx(22.6, abs=0.1)
    assert haversine_km(52.0, 5.0, 52.0, 5.0) == 0


def test_distances_of_tabel1_institutions(distances):
    d = distances.set_index("code")["distance_km"]
    assert d["PI-ALP-E"] == pytest.approx(36.8, abs=0.1)
    assert d["PI-LLS"] == pytest.approx(37.2, abs=0.1)
    assert d["PI-GRV"] == pytest.approx(64.7, abs=0.1)  # Grave lies beyond 60 km
    assert list(distances["distance_km"]) == sorted(distances["distance_km"])


def test_within_radius_on_tabel1_known_cells(distances):
    # Tabel 1, listed cells of Hilversum + Gooische Meren + Huizen (Overig left out)
    counts = pd.DataFrame({"institution_code": ["PI-ALP-E", "PI-NWG", "PI-LLS", "JC-SPL", "PI-GRV", "JC-ZST"],
                           "n": [41, 20, 18, 16, 5, 6]})
    w = within_radius(counts, distances, 60)
    assert (w["within"], w["total"]) == (101, 106)
    assert within_radius(counts, distances, 70)["within"] == 106
    w_road = within_radius(counts, institution_distances(distances, 52.2257, 5.1813, road_factor=1.7), 60)
    assert w_road["within"] == 20 + 16  # only Nieuwegein (38 km) and Schiphol (51 km) remain


def test_road_factor_below_one_rejected(distances):
    with pytest.raises(ValueError):
        institution_distances(distances, 52.2, 5.1, road_factor=0.9)


def test_unknown_institution_raises(distances):
    with pytest.raises(ValueError, match="XX"):
        within_radius(pd.DataFrame({"institution_code": ["XX"], "n": [3]}), distances)


def test_ranked_institutions_cumulative_share(distances):
    counts = pd.DataFrame({"institution_code": ["PI-NWG", "PI-ALP-E", "PI-GRV"], "n": [20, 41, 5]})
    r = ranked_institutions(counts, distances, 60)
    assert list(r["code"]) == ["PI-NWG", "PI-ALP-E", "PI-GRV"]
    assert list(r["within_radius"]) == [True, True, False]
    assert r["cumulative_share"].iloc[1] == pytest.approx(61 / 66)


def test_concurrent_population():
    ep = pd.DataFrame({
        "institution_code": ["A", "A", "A", "B"],
        "admission_date": pd.to_datetime(["2026-01-01", "2026-03-01", "2026-06-01", "2026-02-01"]),
        "release_date": pd.to_datetime(["2026-03-01", None, "2026-07-01", None]),
    })
    out = concurrent_population(ep, pd.Timestamp("2026-03-01"))
    # release on the day itself no longer counts; admission on the day does
    assert out.set_index("institution_code")["n"].to_dict() == {"A": 1, "B": 1}
