"""Atomic output writing: write to a temporary file beside the target, then rename.

Three guards apply to every writer here:

- **inputs are never overwritten**: :func:`protect` registers input files (layers, scenarios,
  roads graphs, assumption files) and input folders (the layers folder); :func:`check_writable`
  refuses any output that resolves (through symlinks and hard links) to one of them or lies
  inside a protected folder;
- **all or nothing**: a file is written to a temporary name beside the target and renamed
  only when complete; :func:`staged` extends this to a set of files (``hzcircle report``);
- **stale temporaries are cleaned**: temporary names carry the writer's process id, and those
  of processes that no longer run (killed earlier runs) are removed on the next write.
"""

from __future__ import annotations

import contextlib
import contextvars
import glob
import json
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from network._errors import OutputError, shorten

#: Input files and folders outputs must not overwrite: (files, folders), as resolved paths.
_PROTECTED: contextvars.ContextVar[tuple[frozenset[Path], frozenset[Path]]] = \
    contextvars.ContextVar("hzcircle_protected", default=(frozenset(), frozenset()))


def _resolved(path: str | os.PathLike[str]) -> Path:
    return Path(os.path.realpath(os.path.abspath(os.fspath(path))))


def protect(files: Iterable[str | os.PathLike[str]] = (),
            folders: Iterable[str | os.PathLike[str]] = ()) -> contextvars.Token:
    """Register input ``files`` and ``folders`` that no output may overwrite or enter.

    Returns the token that :func:`unprotect` takes to restore the previous registry; the
    command line registers every input it was given before it reads any.
    """
    old_files, old_folders = _PROTECTED.get()
    new_files = {_resolved(f) for f in files if f}
    new_folders = {_resolved(d) for d in folders if d}
    return _PROTECTED.set((old_files | new_files, old_folders | new_folders))


def unprotect(token: contextvars.Token) -> None:
    """Restore the registry of protected inputs as it was before :func:`protect`."""
    _PROTECTED.reset(token)


@contextlib.contextmanager
def protected(files: Iterable[str | os.PathLike[str]] = (),
              folders: Iterable[str | os.PathLike[str]] = ()) -> Iterator[None]:
    """Context manager form of :func:`protect`."""
    token = protect(files, folders)
    try:
        yield
    finally:
        unprotect(token)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def check_not_input(path: str | os.PathLike[str]) -> Path:
    """Raise OutputError if ``path`` is (or lies inside) a protected input; else return it."""
    target = _resolved(path)
    files, folders = _PROTECTED.get()
    for f in files:
        if target == f or _same_file(target, f):
            raise OutputError(f"output {path} is an input of this command ({f}); it would be "
                              "overwritten: choose another output path")
    for d in folders:
        if target == d or d in target.parents:
            raise OutputError(f"output {path} lies inside the layers folder {d}, an input; "
                              "write outputs elsewhere")
    if folders and target.is_file():  # a hard link elsewhere to a file of an input folder
        st = target.stat()
        for d in folders:
            for f in d.rglob("*"):
                try:
                    fs = f.stat()
                except OSError:
                    continue
                if (fs.st_dev, fs.st_ino) == (st.st_dev, st.st_ino):
                    raise OutputError(f"output {path} is a link to {f}, an input of this "
                                      "command; choose another output path")
    return Path(path)


def check_writable(path: str | os.PathLike[str]) -> Path:
    """Return ``path`` as a Path after checking its folder exists and is writable.

    Raises
    ------
    OutputError
        If the folder is missing or not writable, the path is a folder or not a regular file
        (a FIFO, a device), or the path is a protected input (see :func:`protect`).
    """
    target = check_not_input(path)
    folder = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise OutputError(f"output path {target} is a folder; give a file name, e.g. {target}/out.csv")
    if not folder.is_dir():
        raise OutputError(f"cannot write {target}: folder {folder} does not exist; create it first")
    if not os.access(folder, os.W_OK):
        raise OutputError(f"cannot write {target}: folder {folder} is not writable; choose another path")
    try:
        mode = target.stat().st_mode
    except OSError:
        mode = None
    if mode is not None and not stat.S_ISREG(mode):
        raise OutputError(f"output {target} exists and is not a regular file (a FIFO, device or "
                          "socket); choose another path")
    return target


_TMP_TAG = ".tmp"


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists but not ours
        return True
    return True


def clean_stale(folder: Path, name: str) -> list[Path]:
    """Remove temporaries of ``name`` (files or staging folders) left in ``folder`` by killed
    runs: those whose recorded process id no longer runs. Returns what was removed."""
    removed = []
    try:
        entries = list(folder.glob(f".{glob.escape(name)}.*{_TMP_TAG}*"))
    except OSError:
        return removed
    for p in entries:
        parts = p.name[len(name) + 2:].split(".")
        if not parts or not parts[0].isdigit() or _pid_alive(int(parts[0])):
            continue
        with contextlib.suppress(OSError):
            if p.is_dir() and not p.is_symlink():
                shutil.rmtree(p)
            else:
                p.unlink()
            removed.append(p)
    return removed


@contextlib.contextmanager
def _temp_beside(target: Path) -> Iterator[Path]:
    folder = target.parent if str(target.parent) else Path(".")
    clean_stale(folder, target.name)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.",
                                        suffix=f"{_TMP_TAG}{target.suffix}", dir=folder)
    except OSError as exc:
        raise OutputError(
            f"cannot write {target}: {exc.strerror or exc}; choose a writable folder"
        ) from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
    finally:
        with contextlib.suppress(OSError):
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
            os.replace(tmp, target)
        except OutputError:
            raise
        except Exception as exc:
            raise OutputError(f"cannot write {target}: {_reason(exc)}; check the disk space "
                              "and permissions of the folder") from None
    return target


def _reason(exc: BaseException) -> str:
    """One line saying why a write failed (the OS reason when there is one)."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {shorten(text, 160)[1:-1]}" if text else type(exc).__name__


class Staging:
    """Outputs written to a hidden staging folder beside each final folder, moved into place
    together by :func:`staged` only when every one of them was written."""

    def __init__(self, tag: str) -> None:
        self._tag = tag
        self._dirs: dict[Path, Path] = {}
        self.moves: list[tuple[Path, Path]] = []

    def path(self, final: str | os.PathLike[str]) -> Path:
        """Where to write the output whose final path is ``final``."""
        final_path = check_writable(final)
        folder = final_path.parent if str(final_path.parent) else Path(".")
        key = _resolved(folder)
        if key not in self._dirs:
            clean_stale(folder, self._tag)
            try:
                self._dirs[key] = Path(tempfile.mkdtemp(
                    prefix=f".{self._tag}.{os.getpid()}.", suffix=_TMP_TAG, dir=folder))
            except OSError as exc:
                raise OutputError(f"cannot write in {folder}: {exc.strerror or exc}; choose a "
                                  "writable folder") from None
        staged_path = self._dirs[key] / final_path.name
        self.moves.append((staged_path, final_path))
        return staged_path

    def _commit(self) -> None:
        for staged_path, final in self.moves:
            if not staged_path.exists():
                continue
            try:
                os.replace(staged_path, final)
            except OSError as exc:
                raise OutputError(f"cannot write {final}: {exc.strerror or exc}; check the "
                                  "permissions of the folder") from None

    def _discard(self) -> None:
        for d in self._dirs.values():
            shutil.rmtree(d, ignore_errors=True)


@contextlib.contextmanager
def staged(tag: str = "hzcircle-stage") -> Iterator[Staging]:
    """All-or-nothing writing of several files: write each to ``stage.path(final)``; when the
    block ends without an error every file is moved to its final path, else none is and the
    staging folders are removed.

    Examples
    --------
    >>> with staged() as stage:                                  # doctest: +SKIP
    ...     write_text_atomic(stage.path("out/report.txt"), text)
    """
    stage = Staging(tag)
    try:
        yield stage
        stage._commit()
    finally:
        stage._discard()


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
        return write_atomic(target, lambda tmp: _gpkg(frame, tmp, target.stem, meta))
    return write_atomic(target, lambda tmp: _parquet(frame, tmp, meta))


def write_table(frame: Any, path: str | os.PathLike[str], *,
                metadata: dict[str, Any] | None = None) -> Path:
    """Write a DataFrame atomically as CSV (UTF-8) or Parquet (with ``metadata`` in the schema)."""
    target = check_suffix(path, TABLE_SUFFIXES)
    if target.suffix.lower() == ".csv":
        return write_atomic(target, lambda tmp: frame.to_csv(tmp, index=False, encoding="utf-8"))
    meta = json.dumps(metadata or {}, ensure_ascii=False, sort_keys=True)
    return write_atomic(target, lambda tmp: _parquet(frame, tmp, meta))


#: The timestamp GeoPackage writes into ``gpkg_contents``: fixed, so that identical runs
#: give byte-identical files (GDAL's ``OGR_CURRENT_DATE``).
_GPKG_DATE = "2000-01-01T00:00:00.000Z"


def _gpkg(frame: Any, tmp: Path, layer: str, meta: str) -> None:
    import pyogrio

    saved = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": _GPKG_DATE})
    try:
        frame.to_file(tmp, driver="GPKG", layer=layer, engine="pyogrio",
                      layer_metadata={META_KEY: meta})
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": saved})


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
