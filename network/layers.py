"""Load the data layers (GeoJSON and CSV in ``layers/``) into typed GeoDataFrames.

Each layer has a schema below: its file, its columns and their types. Loading checks the
structure (files parse, columns present, values of the right type) and raises
:class:`~network.LayerError` naming the file, the feature and the field. The deeper checks
(references resolve, speeds plausible, coordinates inside the circle) live in
:mod:`network.validate`.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from network._errors import LayerError, shorten
from network.geo import CRS_WGS84

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

#: Environment variable naming a layers folder to use instead of the bundled one.
LAYERS_ENV = "HZCIRCLE_LAYERS"


@dataclass(frozen=True)
class Column:
    """One column of a layer: its name, type and whether a value is required."""

    name: str
    kind: str = "str"  # str | int | float | bool | date
    required: bool = True


@dataclass(frozen=True)
class Schema:
    """The file and columns of one layer."""

    name: str
    filename: str
    columns: tuple[Column, ...]
    id_field: str | None = "id"
    geometry: str | None = None  # Point | LineString | Polygon, or None for a CSV table
    optional: bool = False

    @property
    def path_hint(self) -> str:
        return f"layers/{self.filename}"


def _cols(spec: str) -> tuple[Column, ...]:
    """Parse a compact column spec: ``name:kind`` with a trailing ``?`` for optional."""
    out = []
    for item in spec.split():
        name, _, kind = item.partition(":")
        required = not kind.endswith("?")
        out.append(Column(name, kind.rstrip("?") or "str", required))
    return tuple(out)


SCHEMAS: dict[str, Schema] = {
    s.name: s
    for s in (
        Schema(
            "stations",
            "stations.geojson",
            _cols(
                "id name name_zh city county:str? kind opened:date former_names:str? "
                "external:bool source notes:str? coord_crs_source:str?"
            ),
            geometry="Point",
        ),
        Schema(
            "lines",
            "lines.geojson",
            _cols(
                "id name name_zh class station_ids length_km:float? length_source:str? "
                "opened:date? status expected_year:int? design_speed_kmh:float? "
                "schematic:bool source notes:str?"
            ),
            geometry="LineString",
            optional=True,
        ),
        Schema(
            "services",
            "services.csv",
            _cols(
                "id line_id name name_zh class pattern headway_minutes:float "
                "headway_basis:str? opened:int closed:int? source notes:str?"
            ),
        ),
        Schema(
            "service_stops",
            "service_stops.csv",
            _cols(
                "service_id seq:int station_id run_minutes:float? dwell_minutes:float? "
                "opened:int? estimate:bool provenance:str? vintage:str? source"
            ),
            id_field=None,
        ),
        Schema(
            "interchanges",
            "interchanges.csv",
            _cols("from_station to_station walk_minutes:float same_complex:bool source notes:str?"),
            id_field=None,
            optional=True,
        ),
        Schema(
            "road_nodes",
            "road_nodes.geojson",
            _cols("id name name_zh city county:str? kind external:bool source notes:str? "
                  "coord_crs_source:str?"),
            geometry="Point",
            optional=True,
        ),
        Schema(
            "expressways",
            "expressways.csv",
            _cols(
                "id route name name_zh:str? from_node to_node length_km:float speed_kmh:float "
                "opened:date estimate:bool provenance:str? count_share:float? source notes:str?"
            ),
            optional=True,
        ),
        Schema(
            "airports",
            "airports.geojson",
            _cols(
                "id iata:str? icao:str? name name_zh city county:str? opened:date? status "
                "status_year:int? processing_minutes:float? processing_basis:str? source notes:str? "
                "coord_crs_source:str?"
            ),
            geometry="Point",
            optional=True,
        ),
        Schema(
            "zones",
            "zones.geojson",
            _cols(
                "code name name_zh city kind seat_name_zh:str? population_2020:int? "
                "population_source:str? urban_centre_share:float? urban_centre_source:str? "
                "source notes:str? coord_crs_source:str?"
            ),
            id_field="code",
            geometry="Point",
        ),
        Schema(
            "boundaries",
            "boundaries.geojson",
            _cols("code name_zh city source area_km2:float?"),
            id_field="code",
            geometry="Polygon",
            optional=True,
        ),
        Schema(
            "cities",
            "cities.csv",
            _cols("id name name_zh province population_2020:int core_zone core_source:str? "
                  "core_name:str? core_name_zh:str? core_lon:float? core_lat:float? "
                  "core_point_source:str? source notes:str?"),
            optional=True,
        ),
        Schema(
            "targets",
            "targets.csv",
            _cols(
                "id year:int? indicator indicator_zh:str? value:str? unit:str? scope:str? "
                "verified:bool? source quote_zh:str? notes:str?"
            ),
            optional=True,
        ),
    )
}


@dataclass(frozen=True)
class Layers:
    """The data layers, one (Geo)DataFrame each, all geometries in EPSG:4326.

    Instances are immutable containers: scenarios return new ``Layers`` through
    :meth:`replace` and never modify these frames in place.
    """

    stations: gpd.GeoDataFrame
    services: pd.DataFrame
    service_stops: pd.DataFrame
    zones: gpd.GeoDataFrame
    lines: gpd.GeoDataFrame
    interchanges: pd.DataFrame
    road_nodes: gpd.GeoDataFrame
    expressways: pd.DataFrame
    airports: gpd.GeoDataFrame
    boundaries: gpd.GeoDataFrame
    cities: pd.DataFrame
    targets: pd.DataFrame
    path: Path | None = field(default=None, compare=False)
    meta: dict[str, Any] = field(default_factory=dict, compare=False)

    def replace(self, **changes: Any) -> Layers:
        """Return a copy with some layers replaced."""
        return dataclasses.replace(self, **changes)

    @property
    def data_year(self) -> int:
        """The year the layers describe: ``data_year`` in ``metadata.json``, else the latest
        opening year recorded in the stations and services. Never the machine clock."""
        if self.meta.get("data_year") is not None:
            return int(self.meta["data_year"])
        years = [int(y) for y in self.services["opened"].dropna()]
        years += [int(y) for y in self.stations["open_year"].dropna()]
        return max(years) if years else 2010

    @property
    def data_date(self) -> str:
        """When the layers were last brought up to date (``metadata.json``), else the data year."""
        return str(self.meta.get("data_date") or self.data_year)

    def last_year(self) -> int:
        """The latest year a query may ask about: the data year, or a later planned opening."""
        years = [self.data_year]
        if "expected_year" in self.lines:
            years += [int(y) for y in self.lines["expected_year"].dropna()]
        years += [int(y) for y in self.services["opened"].dropna()]
        return max(years)


def default_layers_path() -> Path:
    """The layers folder used when none is given: ``$HZCIRCLE_LAYERS``, else the layers shipped
    inside the installed package (``network/data``), else the checkout's ``layers/``."""
    env = os.environ.get(LAYERS_ENV)
    if env:
        return Path(env)
    here = Path(__file__).resolve().parent
    for candidate in (here / "data", here.parent / "layers"):
        if (candidate / "stations.geojson").is_file():
            return candidate
    return here.parent / "layers"


_DATE_RE = re.compile(r"^(\d{4})(-\d{2}(-\d{2})?)?$")


def _coerce(value: str, kind: str) -> Any:
    """Convert one raw cell to its column type; raise ValueError with a readable reason."""
    if kind == "str":
        return value
    if kind == "int":
        return int(float(value)) if float(value).is_integer() else int(value)
    if kind == "float":
        number = float(value)
        if not math.isfinite(number):
            raise ValueError("not a finite number")
        return number
    if kind == "bool":
        low = value.strip().lower()
        if low in {"1", "true", "yes"}:
            return True
        if low in {"0", "false", "no"}:
            return False
        raise ValueError("expected 1/0 or true/false")
    if kind == "date":
        m = _DATE_RE.match(value)
        if not m:
            raise ValueError("expected YYYY, YYYY-MM or YYYY-MM-DD")
        _check_calendar(value)
        return value
    raise AssertionError(kind)


def _check_calendar(value: str) -> None:
    """Raise ValueError unless a YYYY[-MM[-DD]] text names a real month and day."""
    import datetime

    parts = [int(p) for p in value.split("-")]
    try:
        datetime.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        raise ValueError("no such date; give YYYY, YYYY-MM or YYYY-MM-DD") from None


def check_regular_file(path: Path, hint: str) -> None:
    """Raise LayerError unless ``path`` is a regular file (refuse FIFOs and devices, which
    would block or never end, before opening them)."""
    import stat

    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise LayerError(f"{hint}: cannot be read ({exc.strerror or exc})") from None
    if not stat.S_ISREG(mode):
        raise LayerError(f"{hint}: not a regular file (a FIFO, device or folder); replace it "
                         f"with the layer file (git checkout -- {hint})")


def _raw_value(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v != v:  # NaN
        return ""
    if isinstance(v, bool):
        return "1" if v else "0"
    return str(v).strip()


def _typed_column(frame: pd.DataFrame, col: Column, schema: Schema) -> list[Any]:
    out: list[Any] = []
    ids = _row_ids(frame, schema)
    for row_id, v in zip(ids, frame[col.name], strict=True):
        raw = _raw_value(v)
        if raw == "":
            if col.required:
                raise LayerError(
                    f"{schema.path_hint}: feature {shorten(row_id, 60)[1:-1]}: field "
                    f"'{col.name}' is empty; "
                    f"fill it in (it is required)"
                )
            out.append(None)
            continue
        try:
            out.append(_coerce(raw, col.kind))
        except ValueError as exc:
            raise LayerError(
                f"{schema.path_hint}: feature {shorten(row_id, 60)[1:-1]}: field '{col.name}' = "
                f"{shorten(raw, 60)} is not a valid {col.kind} ({shorten(str(exc), 80)[1:-1]}); "
                "correct the value"
            ) from None
    return out


def _row_ids(frame: pd.DataFrame, schema: Schema) -> list[str]:
    if schema.id_field and schema.id_field in frame:
        return [_raw_value(v) or f"row {i + 1}" for i, v in enumerate(frame[schema.id_field])]
    if schema.name == "service_stops" and {"service_id", "seq"} <= set(frame.columns):
        return [f"{s}#{q}" for s, q in zip(frame["service_id"], frame["seq"], strict=True)]
    return [f"row {i + 1}" for i in range(len(frame))]


def _read_raw(path: Path, schema: Schema) -> pd.DataFrame:
    import pandas as pd

    try:
        if schema.geometry is None:
            return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
        import warnings

        import geopandas as gpd

        with warnings.catch_warnings():
            # GDAL reports bad coordinates as warnings from a C callback; the geometry checks
            # below name the feature instead
            warnings.simplefilter("ignore")
            return gpd.read_file(path)
    except UnicodeDecodeError as exc:
        raise LayerError(
            f"{schema.path_hint}: not UTF-8 text ({exc.reason} at byte {exc.start}); "
            "save the file as UTF-8"
        ) from None
    except Exception as exc:  # pandas/pyogrio raise many types for corrupt files
        kind = "CSV" if schema.geometry is None else "GeoJSON"
        raise LayerError(
            f"{schema.path_hint}: cannot be read as {kind} ({type(exc).__name__}: "
            f"{str(exc).splitlines()[0] if str(exc) else ''}); restore it from git "
            f"(git checkout -- {schema.path_hint}) or fix the syntax"
        ) from None


def _empty(schema: Schema) -> pd.DataFrame:
    import geopandas as gpd
    import pandas as pd

    frame = pd.DataFrame({c.name: pd.Series([], dtype=object) for c in schema.columns})
    if schema.geometry is None:
        return frame
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=CRS_WGS84))


def _check_geometry(frame: gpd.GeoDataFrame, schema: Schema) -> None:
    ids = _row_ids(frame, schema)
    # points stay single points (their lon/lat are read from them); lines and areas may be multi
    allowed = ({schema.geometry} if schema.geometry == "Point"
               else {schema.geometry, f"Multi{schema.geometry}"})
    for row_id, geom in zip(ids, frame.geometry, strict=True):
        if geom is None or geom.is_empty:
            raise LayerError(
                f"{schema.path_hint}: feature {row_id}: geometry is missing; "
                f"give a {schema.geometry} in lon/lat (EPSG:4326)"
            )
        if geom.geom_type not in allowed:
            raise LayerError(
                f"{schema.path_hint}: feature {row_id}: geometry is a {geom.geom_type}, "
                f"expected a {schema.geometry}"
            )
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        raise LayerError(
            f"{schema.path_hint}: CRS is {frame.crs.to_string()}, layers at rest must be "
            "EPSG:4326 (WGS-84 lon/lat); reproject the file"
        )


def _load_one(folder: Path, schema: Schema) -> pd.DataFrame:
    import geopandas as gpd

    path = folder / schema.filename
    if not path.exists() and not path.is_symlink():
        if schema.optional:
            return _empty(schema)
        raise LayerError(
            f"{schema.path_hint}: file not found in {folder}; restore it "
            f"(git checkout -- {schema.path_hint}) or point {LAYERS_ENV} at a complete folder"
        )
    check_regular_file(path, schema.path_hint)
    raw = _read_raw(path, schema)
    if len(raw) == 0:  # an empty layer (e.g. a GeoJSON FeatureCollection without features)
        return _empty(schema)
    missing = [c.name for c in schema.columns if c.required and c.name not in raw.columns]
    if missing:
        raise LayerError(
            f"{schema.path_hint}: missing column(s) {', '.join(missing)}; "
            "see layers/README.md for the schema"
        )
    data = {}
    for col in schema.columns:
        if col.name in raw.columns:
            data[col.name] = _typed_column(raw, col, schema)
        else:
            data[col.name] = [None] * len(raw)
    import pandas as pd

    frame = pd.DataFrame(data, index=range(len(raw)), dtype=object)
    if schema.geometry is None:
        return frame
    _check_geometry(raw, schema)
    return gpd.GeoDataFrame(frame, geometry=list(raw.geometry), crs=CRS_WGS84)


def _add_derived(layers: dict[str, pd.DataFrame]) -> None:
    """Add derived columns: open years from dates, lon/lat from point geometries."""
    import pandas as pd

    for name in ("stations", "road_nodes", "airports", "zones"):
        frame = layers[name]
        frame["lon"] = [g.x for g in frame.geometry]
        frame["lat"] = [g.y for g in frame.geometry]
    for name in ("stations", "lines", "airports", "expressways"):
        frame = layers[name]
        years = [int(str(v)[:4]) if isinstance(v, str) and v else None for v in frame["opened"]]
        frame["open_year"] = pd.Series(years, index=frame.index, dtype=object)


def load_layers(path: str | os.PathLike[str] | None = None) -> Layers:
    """Load every layer from a folder.

    Parameters
    ----------
    path
        Folder holding the layer files. Defaults to :func:`default_layers_path`.

    Returns
    -------
    Layers
        The typed layers, geometries in EPSG:4326.

    Raises
    ------
    LayerError
        If a required file is missing, a file does not parse, a column is missing or a value
        has the wrong type. The message names the file, feature and field.
    """
    folder = Path(path) if path is not None else default_layers_path()
    if folder.exists() and not folder.is_dir():
        raise LayerError(f"layers path {folder} is not a folder; pass --layers DIR, the folder "
                         "that holds stations.geojson")
    if not folder.is_dir():
        hint = (f"unset {LAYERS_ENV} or point it at an existing folder" if os.environ.get(LAYERS_ENV)
                else "pass --layers DIR, or reinstall the package (its wheel ships the layers)")
        raise LayerError(f"layers folder {folder} does not exist; {hint}")
    frames = {name: _load_one(folder, schema) for name, schema in SCHEMAS.items()}
    _add_derived(frames)
    return Layers(**frames, path=folder, meta=_read_meta(folder))


#: Optional file of facts about the layers as a whole (data year, data date, licence notes).
META_FILE = "metadata.json"


def _read_meta(folder: Path) -> dict[str, Any]:
    import json

    path = folder / META_FILE
    if not path.exists() and not path.is_symlink():
        return {}
    check_regular_file(path, f"layers/{META_FILE}")
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise LayerError(f"{path}: not valid JSON ({exc}); fix or remove the file") from None
    if not isinstance(meta, dict):
        raise LayerError(f"{path}: must hold a JSON object such as {{\"data_year\": 2026}}")
    year = meta.get("data_year")
    if year is not None and not (isinstance(year, int) and 2010 <= year <= 2100):
        raise LayerError(f"{path}: data_year {year!r} must be a whole year from 2010 to 2100")
    return meta
