"""Atomic output writing: write to a temporary file beside the target, then rename."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from network._errors import OutputError


def check_writable(path: str | os.PathLike[str]) -> Path:
    """Return ``path`` as a Path after checking its folder exists and is writable.

    Raises
    ------
    OutputError
        If the folder is missing or not writable, or the path is a folder.
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise OutputError(f"output path {target} is a folder; give a file name, e.g. {target}/out.csv")
    if not folder.is_dir():
        raise OutputError(f"cannot write {target}: folder {folder} does not exist; create it first")
    if not os.access(folder, os.W_OK):
        raise OutputError(f"cannot write {target}: folder {folder} is not writable; choose another path")
    return target


@contextlib.contextmanager
def _temp_beside(target: Path) -> Iterator[Path]:
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=f".tmp{target.suffix}",
                                        dir=target.parent)
    except OSError as exc:
        raise OutputError(
            f"cannot write {target}: {exc.strerror or exc}; choose a writable folder"
        ) from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
    finally:
        if tmp.exists():
            tmp.unlink()


def _final_mode(target: Path) -> int:
    """The mode a written file gets: an existing file's mode, else 0666 less the umask."""
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_atomic(path: str | os.PathLike[str], writer: Callable[[Path], object]) -> Path:
    """Call ``writer(tmp_path)`` and move the result onto ``path`` only if it succeeded.

    A failure leaves any existing file at ``path`` untouched and no partial file behind. The
    file gets the user's umask (0644 under the usual 022), or keeps the mode of the file it
    replaces.
    """
    target = check_writable(path)
    mode = _final_mode(target)
    with _temp_beside(target) as tmp:
        try:
            writer(tmp)
            os.chmod(tmp, mode)
        except OSError as exc:
            raise OutputError(f"cannot write {target}: {exc.strerror or exc}; check the disk "
                              "space and permissions of the folder") from None
        os.replace(tmp, target)
    return target


def write_text_atomic(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    return write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


VECTOR_SUFFIXES = (".geojson", ".json", ".gpkg", ".parquet")
TABLE_SUFFIXES = (".csv", ".parquet")
#: Metadata key under which outputs record their provenance.
META_KEY = "hzcircle"


def check_suffix(path: str | os.PathLike[str], suffixes: tuple[str, ...]) -> Path:
    """Return ``path`` if it ends in one of ``suffixes``, else a one-line OutputError."""
    target = Path(path)
    if target.suffix.lower() not in suffixes:
        names = [*suffixes[:-1], f"or {suffixes[-1]}"] if len(suffixes) > 1 else list(suffixes)
        raise OutputError(f"output {target} must end in {', '.join(names[:-1])} {names[-1]}"
                          if len(names) > 1 else f"output {target} must end in {names[0]}")
    return target


def write_vector(frame: Any, path: str | os.PathLike[str], *,
                 metadata: dict[str, Any] | None = None) -> Path:
    """Write a GeoDataFrame atomically as GeoJSON, GeoPackage or GeoParquet, recording
    ``metadata`` (the provenance) in the file: a top-level ``hzcircle`` member in GeoJSON,
    dataset metadata in GeoPackage, schema metadata in Parquet."""
    target = check_suffix(path, VECTOR_SUFFIXES)
    suffix = target.suffix.lower()
    meta = json.dumps(metadata or {}, ensure_ascii=False, sort_keys=True)
    if suffix in (".geojson", ".json"):
        doc = json.loads(frame.to_json(drop_id=True))
        doc = {"type": doc["type"], "name": target.stem, META_KEY: metadata or {},
               "features": doc["features"]}
        text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
        return write_text_atomic(target, text + "\n")
    if suffix == ".gpkg":
        return write_atomic(target, lambda tmp: frame.to_file(
            tmp, driver="GPKG", layer=target.stem, engine="pyogrio", layer_metadata={META_KEY: meta}))
    return write_atomic(target, lambda tmp: _parquet(frame, tmp, meta))


def write_table(frame: Any, path: str | os.PathLike[str], *,
                metadata: dict[str, Any] | None = None) -> Path:
    """Write a DataFrame atomically as CSV (UTF-8) or Parquet (with ``metadata`` in the schema)."""
    target = check_suffix(path, TABLE_SUFFIXES)
    if target.suffix.lower() == ".csv":
        return write_atomic(target, lambda tmp: frame.to_csv(tmp, index=False, encoding="utf-8"))
    meta = json.dumps(metadata or {}, ensure_ascii=False, sort_keys=True)
    return write_atomic(target, lambda tmp: _parquet(frame, tmp, meta))


def _parquet(frame: Any, tmp: Path, meta: str) -> None:
    import pyarrow.parquet as pq

    frame.to_parquet(tmp, index=False)
    table = pq.read_table(tmp)
    schema_meta = dict(table.schema.metadata or {})
    schema_meta[META_KEY.encode()] = meta.encode()
    pq.write_table(table.replace_schema_metadata(schema_meta), tmp)


def read_metadata(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The provenance recorded in a file written by :func:`write_vector` or :func:`write_table`."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix in (".geojson", ".json"):
        return json.loads(p.read_text(encoding="utf-8")).get(META_KEY, {})
    if suffix == ".gpkg":
        import pyogrio

        return json.loads((pyogrio.read_info(p)["layer_metadata"] or {}).get(META_KEY, "{}"))
    import pyarrow.parquet as pq

    raw = pq.read_schema(p).metadata or {}
    return json.loads(raw.get(META_KEY.encode(), b"{}"))
