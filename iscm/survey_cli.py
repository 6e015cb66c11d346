"""`python -m iscm import FILE [--dry-run] [--json]`: import a survey document from the command line.

Registered by iscm.cli. The JSON printed with --json is documented in docs/survey-json.md. With --json,
stdout carries only the JSON document; what was stored (or why not) goes to stderr, so the output can be
piped into other tools.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from iscm.dataset import DEFAULT_DATA_DIR, DatasetError, load


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("import", help="read a survey document (txt, md, pdf, docx) and keep it in the user store",
                       description="Read a 'Summary of Findings per ISCM' document, show what it says about each "
                                   "ISCM and keep it in the user data directory (merged with provenance 'survey').")
    p.add_argument("file", type=Path, help="the document to import")
    p.add_argument("--dry-run", action="store_true", help="parse and show, store nothing")
    p.add_argument("--json", action="store_true", help="print the parsed result as JSON (docs/survey-json.md)")
    p.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR, help="data directory (default: data/)")
    p.add_argument("--home", type=Path, default=None,
                   help="user data directory (default: $ISCM_ATLAS_HOME or ~/.local/share/iscm-atlas)")
    p.add_argument("--max-mb", type=float, default=None, help="size limit in MB (default: $ISCM_MAX_UPLOAD_MB or 20)")
    p.set_defaults(func=cmd_import)


def cmd_import(args: argparse.Namespace) -> int:
    from iscm.survey.extract import parse_document
    from iscm.survey.read import SurveyImportError
    from iscm.survey.store import StoreError, SurveyStore

    try:
        data = args.file.read_bytes()
    except OSError as e:
        print(f"ERROR {args.file}: cannot read the file ({e.strerror or e}) — check the path.", file=sys.stderr)
        return 2
    try:
        ds = load(args.data)
    except DatasetError as e:
        print(str(e), file=sys.stderr)
        return 1
    try:
        result = parse_document(args.file.name, data, ds, max_mb=args.max_mb)
    except SurveyImportError as e:
        print(f"ERROR {e.message}", file=sys.stderr)
        return 1
    info = sys.stderr if args.json else sys.stdout
    if args.json:
        try:
            sys.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n")
            sys.stdout.flush()
        except BrokenPipeError:  # `... --json | head`: the reader has gone, which is fine
            pass
    else:
        for e in result.entries:
            target = e.iscm_id or "UNMATCHED (new ISCM, to be confirmed)"
            focus = [t.id for t in e.themes if t.level == "focus"]
            print(f"{e.index}. {e.name} -> {target}")
            print(f"   sections {len(e.sections)}/5; focus themes: {', '.join(focus) or '-'}; "
                  f"{len(e.themes)} themes, {len(e.countries)} countries, {len(e.organizations)} organizations, "
                  f"{len(e.iscms)} ISCMs, {len(e.structures)} structures, {len(e.funding)} funding")
        new = sum(1 for d in result.differences if d.change == "new")
        print(f"{len(result.entries)} entr{'y' if len(result.entries) == 1 else 'ies'}; {new} new fact(s) "
              "compared with the dataset")
    for w in result.warnings:
        print(f"WARNING {w}", file=sys.stderr)
    if args.dry_run:
        print("dry run: nothing stored", file=info)
        return 0
    try:
        from iscm.audit import Ledger, cli_actor  # logged like the dashboard's imports, as user@host

        stored, created = Ledger(SurveyStore(args.home)).import_file(args.file.name, data, result, cli_actor())
    except StoreError as e:
        print(f"ERROR {e}", file=sys.stderr)
        return 1
    if created:
        print(f"stored as {stored.import_id} in {stored.folder}", file=info)
    else:
        print(f"already imported as {stored.import_id} ({stored.imported_at}); nothing changed", file=info)
    return 0
