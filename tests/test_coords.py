"""GCJ-02 / BD-09 -> WGS-84 conversion."""

from __future__ import annotations

import numpy as np
import pytest

from network.coords import gcj_offset, to_wgs84, wgs_from_gcj


@pytest.mark.parametrize(("lon", "lat"), [(120.2125, 30.2901), (118.3181, 29.7064),
                                          (121.3162, 31.1960), (118.87, 28.94)])
def test_gcj_round_trip_to_a_centimetre(lon, lat):
    dlon, dlat = gcj_offset(np.array([lon]), np.array([lat]))
    back = to_wgs84(lon + dlon[0], lat + dlat[0], "gcj02")
    assert back == pytest.approx((lon, lat), abs=1e-7)


def test_offset_in_the_region_is_a_few_hundred_metres():
    # In Zhejiang the GCJ-02 shift is about +0.0045 deg lon and -0.0025 deg lat
    # (published GCJ points sit east-south-east... of WGS-84 ones by 400-600 m).
    lon, lat = wgs_from_gcj(np.array([120.16]), np.array([30.27]))
    assert -0.0065 < lon[0] - 120.16 < -0.0035
    assert 0.0015 < lat[0] - 30.27 < 0.0035


def test_bd09_is_further_shifted_than_gcj():
    gcj = to_wgs84(120.16, 30.27, "gcj02")
    bd = to_wgs84(120.16, 30.27, "bd09")
    assert abs(bd[0] - gcj[0]) > 0.004  # BD-09 adds roughly 0.0065 deg of longitude


def test_unknown_crs_is_refused():
    with pytest.raises(ValueError, match="unknown coordinate system"):
        to_wgs84(120.0, 30.0, "mars")
