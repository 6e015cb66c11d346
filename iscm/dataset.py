"""Load and validate a data directory into tidy tables.

A data directory holds `themes.yaml` (taxonomy), `organizations.yaml` (registry) and one YAML file per ISCM
in `iscms/`. Validation collects every problem of every file before failing, so that a maintainer fixes a
broken directory in one pass; each problem reads `file:field: problem — fix`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
import yaml
from pydantic import BaseModel, ValidationError

from iscm import gcm, provenance
from iscm.countries import country_name, is_valid_iso3
from iscm.export_tables import to_csv_bytes
from iscm.model import GCMFile, ISCMRecord, OrganizationFile, ThemeFile
from iscm.regions import macro_region

_T = TypeVar("_T")

try:  # libyaml is several times faster; PyYAML's pure-Python loader is the fallback
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[1] / "data"
SAMPLES_DIR = DEFAULT_DATA_DIR / "samples"  # sample survey summaries written by tools/make_samples.py


def sample_surveys() -> list[Path]:
    """The sample survey summaries that ship with the project (TXT, DOCX, PDF), by name."""
    if not SAMPLES_DIR.is_dir():
        return []
    return sorted(p for p in SAMPLES_DIR.iterdir() if p.suffix in {".txt", ".docx", ".pdf"})


@dataclass(frozen=True)
class Problem:
    file: str
    field: str
    problem: str
    fix: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.field}" if self.field else self.file
        return f"{where}: {self.problem} — {self.fix}"


class DatasetError(Exception):
    """A data directory that cannot be loaded; `problems` lists every reason."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{len(problems)} problem(s) in the data directory:\n{lines}")


# Column order of each table; also used to build empty tables.
COLUMNS: dict[str, list[str]] = {
    "iscms": [
        "iscm_id", "short_name", "full_name", "acronym", "type", "regions", "macro_regions", "established",
        "status", "secretariat", "website", "summary", "n_members", "n_observers", "n_themes",
        "n_organizations", "member_count_reported", "confidence_members", "confidence_themes",
        "confidence_organizations", "open_questions", "aliases", "structures", "funding", "theme_notes",
        "provenance", "participation",
    ],
    "memberships": ["iscm_id", "iso3", "country", "role", "territory", "confidence", "note"],
    "themes": ["theme_id", "label", "description", "keywords"],
    "iscm_themes": ["iscm_id", "theme_id", "level", "since", "evidence", "source", "provenance"],
    "organizations": ["org_id", "acronym", "name", "kind", "parent", "aliases"],
    "iscm_organizations": ["iscm_id", "org_id", "role", "source", "provenance", "evidence"],
    "iscm_links": ["source_id", "target_id", "relation", "source", "provenance", "evidence"],
    "sources": ["iscm_id", "url", "title", "used_for", "kind", "checked"],
    **gcm.COLUMNS,
}
TABLES = tuple(COLUMNS)
_INT_COLUMNS = {"established", "since", "member_count_reported", "objective"}


@dataclass(frozen=True)
class Dataset:
    """The tidy tables of a data directory, plus its version (content hash) and date."""

    iscms: pd.DataFrame
    memberships: pd.DataFrame
    themes: pd.DataFrame
    iscm_themes: pd.DataFrame
    organizations: pd.DataFrame
    iscm_organizations: pd.DataFrame
    iscm_links: pd.DataFrame
    sources: pd.DataFrame
    gcm_objectives: pd.DataFrame = field(default_factory=lambda: _frame("gcm_objectives", []))
    theme_gcm: pd.DataFrame = field(default_factory=lambda: _frame("theme_gcm", []))
    gcm_outside: pd.DataFrame = field(default_factory=lambda: _frame("gcm_outside", []))
    iscm_gcm: pd.DataFrame = field(default_factory=lambda: _frame("iscm_gcm", []))
    version: str = ""
    data_date: str = ""
    _names: dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    # lookups built on first use; init=False: dataclasses.replace() gives the new Dataset a fresh, empty one
    _memo: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def tables(self) -> dict[str, pd.DataFrame]:
        return {name: getattr(self, name) for name in TABLES}

    def memo(self, name: str, build: Callable[[Dataset], _T]) -> _T:
        """A lookup derived from this dataset, built on first use and kept with it (the dataset is read-only,
        so the lookup lives exactly as long as the dataset: no key, no eviction). `name` must be unique
        to `build` (e.g. its module and function name)."""
        hit = self._memo.get(name)
        if hit is None:
            hit = self._memo[name] = build(self)
        return hit

    def iscm_name(self, iscm_id: str) -> str:
        if not self._names:
            self._names.update(zip(self.iscms["iscm_id"], self.iscms["short_name"], strict=True))
        return self._names.get(iscm_id, iscm_id)

    def theme_label(self, theme_id: str) -> str:
        labels = self._memo.get("theme_labels")
        if labels is None:
            labels = self._memo["theme_labels"] = {t: str(lab) for t, lab in zip(
                self.themes["theme_id"], self.themes["label"], strict=True)}
        return labels.get(theme_id, theme_id)

    def org_label(self, org_id: str) -> str:
        hit = self.organizations.loc[self.organizations["org_id"] == org_id]
        if not len(hit):
            return org_id
        row = hit.iloc[0]
        return str(row["acronym"] or row["name"])

    def sources_for(self, iscm_ids: Iterable[str] | None = None) -> list[str]:
        """Distinct source labels (URL, or title for printed sources) behind the given ISCMs, in table order."""
        rows = self._memo.get("source_rows")
        if rows is None:  # (iscm_id, label) per row of the sources table, once: pages ask on every rerun
            s = self.sources
            rows = self._memo["source_rows"] = list(zip(
                s["iscm_id"].tolist(), s["url"].where(s["url"] != "", s["title"]).tolist(), strict=True))
        if iscm_ids is None:
            return list(dict.fromkeys(label for _i, label in rows))
        wanted = set(iscm_ids)
        return list(dict.fromkeys(label for i, label in rows if i in wanted))

    def subset(self, iscm_ids: Iterable[str]) -> Dataset:
        """The same dataset restricted to some ISCMs (links kept when both ends are in the subset)."""
        keep = set(iscm_ids)
        cut = {}
        for name, df in self.tables().items():
            if "iscm_id" in df.columns:
                cut[name] = df[df["iscm_id"].isin(keep)].reset_index(drop=True)
            elif name == "iscm_links":
                cut[name] = df[df["source_id"].isin(keep) & df["target_id"].isin(keep)].reset_index(drop=True)
        return replace(self, **cut, _names={})


def _frame(name: str, rows: list[dict[str, Any]]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=COLUMNS[name])
    for col in _INT_COLUMNS & set(df.columns):
        df[col] = pd.array(df[col].tolist(), dtype="Int64")
    if "territory" in df.columns:
        df["territory"] = df["territory"].astype(bool)
    return df


def content_hash(path: str | Path) -> str:
    """A hash of every file of a data directory: the cache key that makes edits show without a restart."""
    root = Path(path)
    h = hashlib.sha256()
    for f in sorted(root.rglob("*.y*ml")):
        h.update(str(f.relative_to(root)).encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


_UNREADABLE = object()  # marks a file whose problem has already been recorded


def _parse_cache_dir() -> Path | None:
    """Where parsed YAML is kept as JSON, keyed by the file's content hash (like Python's .pyc files).

    YAML parsing is most of a cold load; JSON reads ~10x faster. Validation still runs on every load, so a
    cached parse never hides a problem. ISCM_PARSE_CACHE=0 turns the cache off.
    """
    if os.environ.get("ISCM_PARSE_CACHE", "1") == "0":
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "iscm-atlas" / "parsed-yaml"


def _parse(text: str) -> Any:
    cache = _parse_cache_dir()
    key = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if cache is not None:
        try:
            return json.loads((cache / f"{key}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            pass
    data = yaml.load(text, Loader=_Loader)
    if cache is not None:
        try:  # best effort: a read-only or full disk only costs speed
            encoded = json.dumps(data)
            if json.loads(encoded) != data:  # e.g. integer keys would come back as strings
                return data
            cache.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", dir=cache, suffix=".tmp", delete=False, encoding="utf-8") as fh:
                fh.write(encoded)
            os.replace(fh.name, cache / f"{key}.json")
        except (OSError, TypeError, ValueError):
            pass  # TypeError: a value JSON cannot hold (e.g. a YAML date); such a file is simply re-parsed
    return data


def _read_yaml(path: Path, rel: str, problems: list[Problem]) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        problems.append(Problem(rel, "", f"not UTF-8 text (byte {e.start})", "save the file as UTF-8"))
        return _UNREADABLE
    except OSError as e:
        problems.append(Problem(rel, "", f"cannot be read ({e.strerror})", "check the file's permissions"))
        return _UNREADABLE
    try:
        return _parse(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = f"line {mark.line + 1}" if mark is not None else "line ?"
        what = getattr(e, "problem", None) or str(e).splitlines()[0]
        problems.append(Problem(rel, line, f"YAML syntax error: {what}",
                                "fix the indentation, quoting or brackets at that line"))
        return _UNREADABLE


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


_FIXES = {
    "missing": "add the field",
    "extra_forbidden": "remove the field or correct its spelling",
    "literal_error": "use one of the allowed values",
    "string_pattern_mismatch": "use lower-case letters, digits and hyphens (e.g. prague-process)",
}


def _validate(model: type[BaseModel], data: Any, rel: str, problems: list[Problem]) -> Any:
    if data is _UNREADABLE:
        return None
    if not isinstance(data, dict):
        found = "an empty file" if data is None else f"a {type(data).__name__}"
        problems.append(Problem(rel, "", f"expected a mapping of fields, found {found}",
                                "start the file with `field: value` lines"))
        return None
    try:
        return model.model_validate(data)
    except ValidationError as e:
        for err in e.errors():
            kind = err["type"]
            if kind == "missing":
                msg = "required field is missing"
            elif kind == "extra_forbidden":
                msg = "unknown field"
            else:
                msg = f"{err['msg']} (got {err.get('input')!r})"
            fix = _FIXES.get(kind, "correct the value's type or format")
            problems.append(Problem(rel, _loc(err["loc"]), msg, fix))
        return None


def load(path: str | Path = DEFAULT_DATA_DIR) -> Dataset:
    """Load and validate a data directory. Raises DatasetError listing every problem found."""
    root = Path(path)
    problems: list[Problem] = []
    if not root.is_dir():
        raise DatasetError([Problem(str(root), "", "data directory not found",
                                    "pass --data with a folder holding themes.yaml, organizations.yaml and iscms/")])

    def registry(name: str, model: type[BaseModel], what: str) -> Any:
        if not (root / name).is_file():
            problems.append(Problem(name, "", "file not found", f"add the {what} file"))
            return None
        return _validate(model, _read_yaml(root / name, name, problems), name, problems)

    theme_file = registry("themes.yaml", ThemeFile, "theme taxonomy")
    org_file = registry("organizations.yaml", OrganizationFile, "organization registry")

    theme_ids = {t.id for t in theme_file.themes} if theme_file else set()
    org_ids = {o.id for o in org_file.organizations} if org_file else set()
    gcm_file = registry(gcm.FILE, GCMFile, "GCM objectives") if (root / gcm.FILE).is_file() else None
    if gcm_file:
        problems += [Problem(*p) for p in gcm.check_file(gcm_file, theme_ids if theme_file else None)]
    if theme_file:
        _duplicates([t.id for t in theme_file.themes], "themes.yaml", "themes", problems)
    if org_file:
        _duplicates([o.id for o in org_file.organizations], "organizations.yaml", "organizations", problems)
        for i, o in enumerate(org_file.organizations):
            if o.parent and o.parent not in org_ids:
                problems.append(Problem("organizations.yaml", f"organizations[{i}].parent",
                                        f"parent '{o.parent}' is not in the registry",
                                        "use the id of an organization listed in this file"))

    files = sorted((root / "iscms").glob("*.y*ml")) if (root / "iscms").is_dir() else []
    if not files:
        problems.append(Problem("iscms/", "", "no ISCM files found", "add one YAML file per ISCM in iscms/"))
    records: list[tuple[str, ISCMRecord]] = []
    seen: dict[str, str] = {}
    broken: set[str] = set()  # ids of files that failed, so links to them are not reported a second time
    for f in files:
        rel = f"iscms/{f.name}"
        rec = _validate(ISCMRecord, _read_yaml(f, rel, problems), rel, problems)
        if rec is None:
            broken.add(f.stem)
            continue
        if rec.id in seen:
            problems.append(Problem(rel, "id", f"duplicate ISCM id '{rec.id}' (also in {seen[rec.id]})",
                                    "give each ISCM a unique id"))
            continue
        seen[rec.id] = rel
        records.append((rel, rec))

    known: dict[str, list[str]] = {f"iscm:{r.id}": [r.short_name, r.full_name, r.acronym or "", *r.aliases]
                                   for _, r in records}
    if org_file:
        known.update({f"org:{o.id}": [o.name, o.acronym or "", *o.aliases] for o in org_file.organizations})

    def names(key: str) -> list[str]:
        return [n for n in known.get(key, []) if n]

    for rel, rec in records:
        problems += [Problem(*p) for p in gcm.check_entries(rel, rec.gcm, {s.label for s in rec.sources})]
        # A broken registry or taxonomy is reported once above, not again for every reference to it.
        _check_record(rel, rec, theme_ids if theme_file else None, org_ids if org_file else None,
                      set(seen) | broken, problems)
        problems.extend(Problem(rel, fld, what, fix) for fld, what, fix in provenance.check(rec, root, names))
    if problems:
        raise DatasetError(problems)
    assert theme_file is not None and org_file is not None
    return _build(root, [r for _, r in records], theme_file, org_file, gcm_file)


def _duplicates(ids: list[str], rel: str, fld: str, problems: list[Problem]) -> None:
    seen: set[str] = set()
    for i, x in enumerate(ids):
        if x in seen:
            problems.append(Problem(rel, f"{fld}[{i}].id", f"duplicate id '{x}'", "give each entry a unique id"))
        seen.add(x)


def _check_record(rel: str, rec: ISCMRecord, theme_ids: set[str] | None, org_ids: set[str] | None,
                  iscm_ids: set[str],
                  problems: list[Problem]) -> None:
    def add(fld: str, problem: str, fix: str) -> None:
        problems.append(Problem(rel, fld, problem, fix))

    if rel.rsplit("/", 1)[-1].rsplit(".", 1)[0] != rec.id:
        add("id", f"id '{rec.id}' differs from the file name", f"rename the file to {rec.id}.yaml or fix the id")
    urls = {s.url for s in rec.sources if s.url}
    if not urls:
        add("sources", "no source has a URL", "add at least one source with a url")
    labels = {s.label for s in rec.sources}
    placed: dict[str, str] = {}
    if rec.participation == "open" and rec.members:
        add("members", "an ISCM open to every UN Member State lists members",
            "list past chairs under chairs (or set participation: listed)")
    for group in ("members", "observers"):
        for i, p in enumerate(getattr(rec, group)):
            fld = f"{group}[{i}].iso3"
            if not is_valid_iso3(p.iso3):
                add(fld, f"'{p.iso3}' is not an ISO 3166 alpha-3 code",
                    "use the three-letter code (e.g. DEU for Germany; XKX for Kosovo)")
            if p.iso3 in placed:
                add(fld, f"{p.iso3} ({p.name}) is listed twice (also in {placed[p.iso3]})",
                    "keep one entry per State")
            placed[p.iso3] = f"{group}[{i}]"
    seen_themes: set[str] = set()
    for i, t in enumerate(rec.themes):
        if theme_ids is not None and t.id not in theme_ids:
            add(f"themes[{i}].id", f"unknown theme id '{t.id}'", "use an id from themes.yaml")
        if t.id in seen_themes:
            add(f"themes[{i}].id", f"theme '{t.id}' is listed twice", "keep one entry per theme")
        seen_themes.add(t.id)
        if t.source and t.source not in labels:
            add(f"themes[{i}].source", f"source '{t.source}' is not in this file's sources",
                "add it to sources or cite one listed there")
    for i, o in enumerate(rec.organizations):
        if org_ids is not None and o.org not in org_ids:
            add(f"organizations[{i}].org", f"organization '{o.org}' is not in the registry",
                "add it to organizations.yaml or use an existing id")
        if o.source and o.source not in labels:
            add(f"organizations[{i}].source", f"source '{o.source}' is not in this file's sources",
                "add it to sources or cite one listed there")
    for i, link in enumerate(rec.linked_iscms):
        if link.id not in iscm_ids:
            add(f"linked_iscms[{i}].id", f"links to ISCM '{link.id}', which has no file",
                "use the id of an ISCM in iscms/ (the file name without .yaml)")
        if link.id == rec.id:
            add(f"linked_iscms[{i}].id", "an ISCM cannot link to itself", "remove the entry")


def _build(root: Path, records: list[ISCMRecord], theme_file: ThemeFile, org_file: OrganizationFile,
           gcm_file: GCMFile | None = None) -> Dataset:
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLES}
    for rec in records:
        default_src = next((s.label for s in rec.sources if s.url), rec.sources[0].label)
        macros = list(dict.fromkeys(m for m in (macro_region(r) for r in rec.regions) if m))
        rows["iscms"].append({
            "iscm_id": rec.id, "short_name": rec.short_name, "full_name": rec.full_name,
            "acronym": rec.acronym or "", "type": rec.type, "regions": "; ".join(rec.regions),
            "macro_regions": "; ".join(macros), "established": rec.established, "status": rec.status,
            "secretariat": rec.secretariat or "", "website": rec.website or "", "summary": rec.summary,
            "n_members": len(rec.members), "n_observers": len(rec.observers), "n_themes": len(rec.themes),
            "n_organizations": len(rec.organizations), "member_count_reported": rec.member_count_reported,
            "confidence_members": rec.confidence.members, "confidence_themes": rec.confidence.themes,
            "confidence_organizations": rec.confidence.organizations, "open_questions": rec.open_questions,
            "aliases": "; ".join(rec.aliases), "structures": "; ".join(rec.structures),
            "funding": rec.funding or "", "theme_notes": rec.theme_notes, "provenance": "curated",
            "participation": rec.participation,
        })
        for role, group in (("member", rec.members), ("observer", rec.observers), ("chair", rec.chairs)):
            for p in group:
                rows["memberships"].append({
                    "iscm_id": rec.id, "iso3": p.iso3, "country": p.name or country_name(p.iso3), "role": role,
                    "territory": p.territory, "confidence": p.confidence or rec.confidence.members,
                    "note": p.note,
                })
        for t in rec.themes:
            rows["iscm_themes"].append({
                "iscm_id": rec.id, "theme_id": t.id, "level": t.level, "since": t.since,
                "evidence": t.evidence, "source": t.source or default_src, "provenance": "curated",
            })
        for o in rec.organizations:
            rows["iscm_organizations"].append({
                "iscm_id": rec.id, "org_id": o.org, "role": o.role, "source": o.source or default_src,
                "provenance": "curated", "evidence": o.evidence,
            })
        for link in rec.linked_iscms:
            rows["iscm_links"].append({
                "source_id": rec.id, "target_id": link.id, "relation": link.relation,
                "source": link.source or default_src, "provenance": "curated", "evidence": link.evidence,
            })
        for s in rec.sources:
            rows["sources"].append({"iscm_id": rec.id, "url": s.url or "", "title": s.title or "",
                                    "used_for": s.used_for, "kind": s.kind or "", "checked": s.checked or ""})
    for t in theme_file.themes:
        rows["themes"].append({"theme_id": t.id, "label": t.label, "description": t.description,
                               "keywords": tuple(t.keywords)})
    for o in org_file.organizations:
        rows["organizations"].append({"org_id": o.id, "acronym": o.acronym or "", "name": o.name, "kind": o.kind,
                                      "parent": o.parent or "", "aliases": tuple(o.aliases)})
    rows.update(gcm.table_rows(gcm_file, records))
    newest = max((f.stat().st_mtime for f in root.rglob("*.y*ml")), default=0.0)
    return Dataset(
        **{name: _frame(name, r) for name, r in rows.items()},
        version=content_hash(root),
        data_date=dt.date.fromtimestamp(newest).isoformat() if newest else "",
    )


def write_tables(ds: Dataset, out: str | Path) -> list[Path]:
    """Write every tidy table as `<table>.csv` into `out`; returns the paths written."""
    target = Path(out)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, df in ds.tables().items():
        p = target / f"{name}.csv"
        p.write_bytes(to_csv_bytes(df))
        written.append(p)
    return written
