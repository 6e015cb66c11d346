"""Command line: `python -m iscm validate|tables|import` for data maintainers and their pipelines."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from iscm import survey_cli
from iscm.datapackage import write_package
from iscm.dataset import DEFAULT_DATA_DIR, DatasetError, load


def _cmd_validate(args: argparse.Namespace) -> int:
    try:
        ds = load(args.data)
    except DatasetError as e:
        print(f"INVALID {args.data}: {len(e.problems)} problem(s)", file=sys.stderr)
        for p in e.problems:
            print(f"  - {p}", file=sys.stderr)
        return 1
    print(
        f"OK {args.data}: {len(ds.iscms)} ISCMs, {ds.memberships['iso3'].nunique()} States and territories, "
        f"{len(ds.memberships)} memberships, {len(ds.organizations)} organizations, {len(ds.themes)} themes, "
        f"{len(ds.iscm_links)} links (version {ds.version})"
    )
    return 0


def _cmd_tables(args: argparse.Namespace) -> int:
    try:
        ds = load(args.data)
    except DatasetError as e:
        print(str(e), file=sys.stderr)
        return 1
    for p in write_package(ds, args.out):
        print(p)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m iscm", description="ISCM Atlas data tools")
    sub = parser.add_subparsers(dest="command", required=True)
    v = sub.add_parser("validate", help="check a data directory; exit 1 with the list of problems")
    v.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR, help="data directory (default: data/)")
    v.set_defaults(func=_cmd_validate)
    t = sub.add_parser("tables", help="write the tidy tables as CSV, one file per table, and datapackage.json")
    t.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR, help="data directory (default: data/)")
    t.add_argument("--out", type=Path, required=True, help="folder to write <table>.csv into")
    t.set_defaults(func=_cmd_tables)
    survey_cli.register(sub)  # `import`: read a survey document (iscm.survey)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))
