"""The ``hzcircle`` parser and entry point: one-line errors, exit codes, protected inputs."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import warnings
from collections.abc import Sequence
from typing import Any, NoReturn

from network._errors import HzCircleError
from network.cli import batch, gtfs, layers, osm, report, route, scenario, scorecard, surface
from network.cli._common import short_words

#: The command modules in the order their commands are listed by ``hzcircle --help``.
COMMANDS = (layers, route, batch, surface, scorecard, osm, scenario, report, gtfs)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="hzcircle",
        description="Transport-network analyzer for the Hangzhou metropolitan circle "
                    "(Hangzhou, Huzhou, Jiaxing, Shaoxing, Quzhou, Huangshan).",
    )
    parser.add_argument("--version", action="version", version="hzcircle 0.1.0")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMANDS:
        module.add_parsers(sub)
    return parser


def reference_markdown() -> str:
    """The CLI reference (docs/cli.md), generated from the parser so it cannot drift."""
    import os

    saved = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "100"  # argparse wraps help to the terminal: fix the width
    parser = build_parser()
    out = ["# Command-line reference", "",
           "Generated from the parser by `python -m network --reference > docs/cli.md`; "
           "`tests/test_docs.py` fails if this file differs from the parser.", ""]

    def walk(p: argparse.ArgumentParser, name: str) -> None:
        out.extend([f"## `{name}`", "", "```text", p.format_help().rstrip(), "```", ""])
        for action in p._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub_name, sub in action.choices.items():
                    walk(sub, f"{name} {sub_name}")

    try:
        walk(parser, "hzcircle")
    finally:
        if saved is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = saved
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (2 for bad input)."""
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv == ["--reference"]:
        print(reference_markdown())
        return 0
    args = parser.parse_args(argv)
    try:
        with warnings.catch_warnings(), _protect_inputs(args):
            if not os.environ.get("HZCIRCLE_DEBUG"):
                warnings.simplefilter("ignore")  # library warnings are not the user's business
            if getattr(args, "set", None):  # a bad --set fails first, on every command
                from network.assumptions import DEFAULT

                DEFAULT.with_settings(args.set)
            return int(args.func(args))
    except HzCircleError as exc:
        print(f"hzcircle: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except RecursionError:
        print("hzcircle: error: an input is nested too deeply to read; simplify it",
              file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("hzcircle: interrupted; no output was written", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


def _one_line(exc: BaseException) -> str:
    """The error message on one line (a scenario lists its problems one per line: the first
    is shown with the count of the others), long words shortened."""
    lines = [ln for ln in str(exc).splitlines() if ln.strip()] or [type(exc).__name__]
    more = f" (and {len(lines) - 1} more problem(s))" if len(lines) > 1 else ""
    return short_words(lines[0] + more)


class _Parser(argparse.ArgumentParser):
    """argparse with long values shortened in its error line."""

    def error(self, message: str) -> NoReturn:
        super().error(short_words(message))


def _check_input_files(files: list[str]) -> None:
    """Refuse input files that are FIFOs or devices before anything reads them (reading would
    block or never end)."""
    import stat

    for f in files:
        try:
            mode = os.stat(f).st_mode
        except OSError:
            continue  # missing: the reader says so with its own hint
        if not stat.S_ISREG(mode):
            raise HzCircleError(f"{short_words(str(f))}: not a regular file (a folder, FIFO or "
                                "device); give a file")


def _input_paths(args: argparse.Namespace) -> tuple[list[str], list[str]]:
    """The files and folders a command reads: outputs may not overwrite or enter them."""
    from network.layers import default_layers_path

    folders = [str(args.layers or default_layers_path())] if hasattr(args, "layers") else []
    files = []
    for name, value in vars(args).items():  # every argument naming an existing file is an input
        if name in _OUTPUT_ARGS or name == "func":
            continue
        for v in value if isinstance(value, list) else [value]:
            if (isinstance(v, str) and v and len(v) < 4096 and os.path.lexists(v)
                    and not os.path.isdir(v)):
                files.append(v)
    return files, folders


def _input_files(args: argparse.Namespace) -> list[str]:
    """The arguments that name input files (checked to be regular files before reading)."""
    files = [getattr(args, name, None) for name in ("roads", "assumptions", "file", "hierarchy")]
    files += list(getattr(args, "files", None) or [])
    if getattr(args, "kind", None) == "scenario" and getattr(args, "place", None):
        files.append(args.place)
    return [f for f in files if f]


#: The arguments that name outputs (every other argument naming an existing file is an input).
_OUTPUT_ARGS = frozenset({"output", "output_dir", "maps_dir", "map"})


@contextlib.contextmanager
def _protect_inputs(args: argparse.Namespace) -> Any:
    from network._io import protected

    files, folders = _input_paths(args)
    _check_input_files(_input_files(args))
    with protected(files, folders):
        yield
