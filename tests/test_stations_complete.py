"""Every station of the completeness list (docs/research/stations_completeness.csv, issue 13 item 3).

The list names, for each rail line open by the end of 2026 in the six cities, the stations inside
the six cities that the layers lacked. A ``placed`` station must be in the 2026 network, served
by a ride, and absent in the years before it opened; a ``left_out`` station must still be absent
from the layers and named in layers/README.md "Known gaps" (so adding one forces the list and
the README to be brought up to date).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from network import Network
from network.years import FIRST_YEAR

ROOT = Path(__file__).resolve().parents[1]
LIST = ROOT / "docs" / "research" / "stations_completeness.csv"


def _rows() -> list[dict[str, str]]:
    with open(LIST, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


ROWS = _rows()
PLACED = [r for r in ROWS if r["status"] == "placed"]
LEFT_OUT = [r for r in ROWS if r["status"] == "left_out"]


def _known_gaps() -> str:
    text = (ROOT / "layers" / "README.md").read_text(encoding="utf-8")
    start = text.index("## Known gaps")
    end = text.index("\n## ", start + 1)
    return text[start:end]


@pytest.fixture(scope="module")
def net_2026(real_layers):
    return Network(real_layers, year=2026, modes="rail")


def test_list_is_well_formed():
    assert ROWS, "the completeness list is empty"
    assert {r["status"] for r in ROWS} <= {"placed", "left_out"}
    assert len({r["station_id"] for r in ROWS}) == len(ROWS)
    cities = {"Hangzhou", "Huzhou", "Jiaxing", "Shaoxing", "Quzhou", "Huangshan"}
    assert {r["city"] for r in ROWS} <= cities
    assert all(r["source"].strip() for r in ROWS)


@pytest.mark.parametrize("row", PLACED, ids=[r["station_id"] for r in PLACED])
def test_placed_station_is_routable_in_2026(row, real_layers, net_2026):
    sid = row["station_id"]
    st = real_layers.stations.set_index("id")
    assert sid in st.index
    assert st.loc[sid, "name_zh"] == row["station_zh"]
    assert st.loc[sid, "city"] == row["city"]
    assert sid in net_2026.G
    # called at by a service of its line, and a ride leaves it to the next stop of that service
    stops = real_layers.service_stops
    calls = stops[(stops["station_id"] == sid) & stops["service_id"].str.startswith(row["line_id"])]
    assert len(calls), f"no service of {row['line_id']} calls at {sid}"
    call = calls.iloc[0]
    service = stops[stops["service_id"] == call["service_id"]].sort_values("seq")
    later = service[service["seq"] > call["seq"]]
    earlier = service[service["seq"] < call["seq"]]
    other = (later if len(later) else earlier)["station_id"].iloc[0]
    j = net_2026.travel_time(sid, other)
    assert any(leg.kind == "ride" for leg in j.legs)
    assert j.in_vehicle_minutes > 0


@pytest.mark.parametrize("row", PLACED, ids=[r["station_id"] for r in PLACED])
def test_placed_station_by_opening_year(row, real_layers):
    sid = row["station_id"]
    if not row["opened"]:
        # no opening date: the station predates the first modelled year, so it is in every year
        assert sid in Network(real_layers, year=FIRST_YEAR, modes="rail").G
        return
    year = int(row["opened"][:4])
    # "open in year Y" is open at the end of Y (network.years.is_open)
    assert sid in Network(real_layers, year=max(year, FIRST_YEAR), modes="rail").G
    if year > FIRST_YEAR:
        assert sid not in Network(real_layers, year=year - 1, modes="rail").G


@pytest.mark.parametrize("row", LEFT_OUT, ids=[r["station_id"] for r in LEFT_OUT])
def test_left_out_station_is_absent_and_documented(row, real_layers):
    assert row["station_id"] not in set(real_layers.stations["id"]), (
        f"{row['station_id']} is in the layers now: mark it placed in {LIST.name}")
    assert row["station_zh"] in _known_gaps(), (
        f"{row['station_zh']} is left out but not named in layers/README.md Known gaps")


def test_huzhou_east_commuter_rides_the_published_timetable(net_2026):
    """Huzhou East (placed in session s22) is served by the 2025-Q1 commuter train C3042:
    dep Huzhou East 06:30, arr Shanghai Songjiang 07:14, arr Shanghai South 07:31 (wxredian.com
    article on the 2025-Q1 timetable, cited in layers/service_stops.csv). The in-vehicle time of
    the layers' ride must be those published departure-to-arrival differences."""
    to_songjiang = net_2026.travel_time("huzhou_east", "shanghai_songjiang")
    to_south = net_2026.travel_time("huzhou_east", "shanghai_south")
    assert to_songjiang.in_vehicle_minutes == pytest.approx(7 * 60 + 14 - (6 * 60 + 30))
    assert to_south.in_vehicle_minutes == pytest.approx(7 * 60 + 31 - (6 * 60 + 30))
    services = {leg.service for leg in to_south.legs if leg.kind == "ride"}
    assert services == {"hsr_shanghai_suzhou_huzhou_c3042"}


def test_huzhou_east_not_in_2023(real_layers):
    """Opened with the Shanghai–Suzhou–Huzhou HSR on 2024-12-26; its commuter trains from 2025."""
    assert "huzhou_east" not in Network(real_layers, year=2023, modes="rail").G
    net_2024 = Network(real_layers, year=2024, modes="rail")
    assert "huzhou_east" in net_2024.G
