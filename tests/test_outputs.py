"""Outputs: file modes follow the umask, provenance is recorded, one 'open in year' rule."""

from __future__ import annotations

import os
import stat

import geopandas as gpd
import pytest
import shapely

from network._io import read_metadata, write_table, write_text_atomic, write_vector


def _mode(p) -> int:
    return stat.S_IMODE(os.stat(p).st_mode)


def test_new_files_follow_the_umask_and_replacements_keep_their_mode(tmp_path):
    old = os.umask(0o022)
    try:
        p = write_text_atomic(tmp_path / "a.txt", "x")
        assert _mode(p) == 0o644
        os.chmod(p, 0o640)
        write_text_atomic(p, "y")
        assert _mode(p) == 0o640 and p.read_text() == "y"
        os.umask(0o077)
        q = write_text_atomic(tmp_path / "b.txt", "x")
        assert _mode(q) == 0o600
    finally:
        os.umask(old)


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg", ".parquet"])
def test_vector_outputs_record_provenance(tmp_path, suffix):
    frame = gpd.GeoDataFrame({"minutes": [30.0]}, geometry=[shapely.box(120, 30, 120.1, 30.1)],
                             crs="EPSG:4326")
    meta = {"tool": "hzcircle", "assumptions": {"digest": "abc", "changed": {"x": 1}}}
    out = write_vector(frame, tmp_path / f"iso{suffix}", metadata=meta)
    assert read_metadata(out) == meta
    back = gpd.read_parquet(out) if suffix == ".parquet" else gpd.read_file(out)
    assert back["minutes"].tolist() == [30.0]
    if suffix == ".geojson":  # no temporary file name inside the file
        assert ".tmp" not in out.read_text(encoding="utf-8")
    assert [p.name for p in tmp_path.iterdir()] == [out.name]


def test_parquet_table_records_provenance(tmp_path):
    import pandas as pd

    out = write_table(pd.DataFrame({"a": [1]}), tmp_path / "m.parquet", metadata={"k": "v"})
    assert read_metadata(out) == {"k": "v"}


def test_targets_count_every_line_the_graph_routes(real_layers):
    from network import Network
    from network.targets import track

    net = Network(real_layers, year=2025, modes="rail")
    routed = {d["service"] for _, _, d in net.G.edges(data=True) if d.get("service")}
    line_of = dict(zip(real_layers.services["id"], real_layers.services["line_id"], strict=True))
    routed_lines = {line_of[s] for s in routed} & set(real_layers.lines["id"])
    counted = set(track(real_layers, year=2025).lines)
    assert routed_lines <= counted, sorted(routed_lines - counted)
    undated = set(real_layers.lines.loc[real_layers.lines["opened"].isna()
                                        & (real_layers.lines["status"] == "open"), "id"])
    assert undated <= counted  # lines older than the layers' first year count too


def test_default_year_is_the_layers_data_year_not_the_clock(real_layers):
    from network.years import default_year

    assert default_year(real_layers) == real_layers.meta["data_year"] == 2026
