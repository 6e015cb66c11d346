"""The tidy tables as an open data package (Frictionless Data Package): CSVs plus `datapackage.json`.

`SCHEMAS` is the one description of every table: what a row is, each field's type and meaning, primary and
foreign keys. It is written into datapackage.json (so `frictionless validate` checks types and that every
iscm_id, theme_id, org_id and objective resolves), and the README's table reference is generated from it
(`python -m iscm.datapackage README.md` rewrites that part; a test keeps the two equal).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import sys
import zipfile
from pathlib import Path
from typing import Any

from iscm.dataset import COLUMNS, Dataset
from iscm.export_tables import to_csv_bytes

NAME = "iscm-atlas"
TITLE = "ISCM Atlas: inter-State consultation mechanisms on migration"
LICENSES = [{"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0",
             "path": "https://creativecommons.org/licenses/by/4.0/"}]
SOURCES = [
    {"title": "Public sources cited for every fact (ISCM sites, member governments, IOM, UN); see sources.csv",
     "path": "sources.csv"},
    {"title": "Global Compact for Safe, Orderly and Regular Migration (A/RES/73/195)",
     "path": "https://undocs.org/A/RES/73/195"},
]
README_START = "<!-- datapackage:start (generated from iscm/datapackage.py; do not edit by hand) -->"
README_END = "<!-- datapackage:end -->"

_S, _I, _B = "string", "integer", "boolean"
_ISCM_FK = {"fields": "iscm_id", "reference": {"resource": "iscms", "fields": "iscm_id"}}
_THEME_FK = {"fields": "theme_id", "reference": {"resource": "themes", "fields": "theme_id"}}
_OBJ_FK = {"fields": "objective", "reference": {"resource": "gcm_objectives", "fields": "objective"}}
_CONF = {"enum": ["high", "medium", "low"]}

# table -> description, fields (name, type, description[, constraints]), primary key, foreign keys
SCHEMAS: dict[str, dict[str, Any]] = {
    "iscms": {
        "description": "One row per ISCM: identity, type, regions, counts and confidence marks.",
        "fields": [
            ("iscm_id", _S, "Identifier: lower-case slug, the file name in data/iscms/", {"required": True}),
            ("short_name", _S, "Name used in charts"),
            ("full_name", _S, "Full official name"),
            ("acronym", _S, "Acronym, if any"),
            ("type", _S, "RCP (regional consultative process), IRF (interregional forum) or Global",
             {"enum": ["RCP", "IRF", "Global"]}),
            ("regions", _S, "Regions as its sources name them ('; '-joined)"),
            ("macro_regions", _S, "Africa, Americas, Asia, Europe, Oceania or Global ('; '-joined)"),
            ("established", _I, "Year established"),
            ("status", _S, "active, dormant, inactive or unknown",
             {"enum": ["active", "dormant", "inactive", "unknown"]}),
            ("secretariat", _S, "Who runs its secretariat"),
            ("website", _S, "Official website"),
            ("summary", _S, "Two or three sentences in our own words"),
            ("n_members", _I, "Number of member States and territories"),
            ("n_observers", _I, "Number of observer States and territories"),
            ("n_themes", _I, "Number of themes it covers"),
            ("n_organizations", _I, "Number of organization roles recorded"),
            ("member_count_reported", _I, "Number of members its own sources report, where given"),
            ("confidence_members", _S, "Confidence in the member list", _CONF),
            ("confidence_themes", _S, "Confidence in the themes", _CONF),
            ("confidence_organizations", _S, "Confidence in the organization roles", _CONF),
            ("open_questions", _S, "What the sources disagree on or leave open"),
            ("aliases", _S, "Other names ('; '-joined)"),
            ("structures", _S, "How it is organised ('; '-joined)"),
            ("funding", _S, "How it is financed"),
            ("theme_notes", _S, "Notes on its themes"),
            ("provenance", _S, "curated (data/) or survey (an imported survey summary)"),
            ("participation", _S, "listed (the member list is its membership) or open (every UN Member State may "
             "take part; the listed States are its chairs)", {"enum": ["listed", "open"]}),
        ],
        "primaryKey": ["iscm_id"],
    },
    "memberships": {
        "description": "Who takes part where: one row per State or territory and ISCM, with its role.",
        "fields": [
            ("iscm_id", _S, "The ISCM", {"required": True}),
            ("iso3", _S, "ISO 3166 alpha-3 code of the State or territory (XKX for Kosovo)", {"required": True}),
            ("country", _S, "Name of the State or territory"),
            ("role", _S, "member, observer, or chair (a past or present chair of an open process)",
             {"enum": ["member", "observer", "chair"]}),
            ("territory", _B, "True for a territory taking part in its own right"),
            ("confidence", _S, "Confidence in this membership", _CONF),
            ("note", _S, "Note on this membership"),
        ],
        "primaryKey": ["iscm_id", "iso3"],
        "foreignKeys": [_ISCM_FK],
    },
    "themes": {
        "description": "The theme taxonomy, with the keywords used to find themes in survey text.",
        "fields": [
            ("theme_id", _S, "Identifier of the theme", {"required": True}),
            ("label", _S, "Name of the theme"),
            ("description", _S, "What the theme covers"),
            ("keywords", _S, "Phrases that find the theme in survey text ('; '-joined)"),
        ],
        "primaryKey": ["theme_id"],
    },
    "iscm_themes": {
        "description": "Which ISCM works on which theme: declared focus or mentioned, since when, with evidence.",
        "fields": [
            ("iscm_id", _S, "The ISCM", {"required": True}),
            ("theme_id", _S, "The theme", {"required": True}),
            ("level", _S, "focus (a declared focus) or mentioned", {"enum": ["focus", "mentioned"]}),
            ("since", _I, "Year the theme entered its agenda, where known"),
            ("evidence", _S, "What the source says, in our own words"),
            ("source", _S, "The source (URL, or title of printed material)"),
            ("provenance", _S, "curated or survey"),
        ],
        "primaryKey": ["iscm_id", "theme_id"],
        "foreignKeys": [_ISCM_FK, _THEME_FK],
    },
    "organizations": {
        "description": "The organization registry: one entry per organization, with its kind and aliases.",
        "fields": [
            ("org_id", _S, "Identifier of the organization", {"required": True}),
            ("acronym", _S, "Acronym"),
            ("name", _S, "Full name"),
            ("kind", _S, "un, eu, rec (regional organization), igo, civil_society, academia or other",
             {"enum": ["un", "eu", "rec", "igo", "civil_society", "academia", "other"]}),
            ("parent", _S, "The organization it belongs to (org_id), if any"),
            ("aliases", _S, "Other names sources use ('; '-joined)"),
        ],
        "primaryKey": ["org_id"],
        "foreignKeys": [{"fields": "parent", "reference": {"resource": "", "fields": "org_id"}}],
    },
    "iscm_organizations": {
        "description": "Organizations' roles in ISCMs (secretariat, partner, observer, funder, ...).",
        "fields": [
            ("iscm_id", _S, "The ISCM", {"required": True}),
            ("org_id", _S, "The organization", {"required": True}),
            ("role", _S, "secretariat, partner, observer, member, funder or technical-support", {"required": True}),
            ("source", _S, "The source"),
            ("provenance", _S, "curated or survey"),
            ("evidence", _S, "What the source says about the tie, in words a reader can check there"),
        ],
        "primaryKey": ["iscm_id", "org_id", "role"],
        "foreignKeys": [_ISCM_FK, {"fields": "org_id", "reference": {"resource": "organizations",
                                                                     "fields": "org_id"}}],
    },
    "iscm_links": {
        "description": "Links between ISCMs and what they consist of.",
        "fields": [
            ("source_id", _S, "The ISCM whose sources state the link", {"required": True}),
            ("target_id", _S, "The linked ISCM", {"required": True}),
            ("relation", _S, "What the link consists of", {"required": True}),
            ("source", _S, "The source"),
            ("provenance", _S, "curated or survey"),
            ("evidence", _S, "What the source says about the link, in words a reader can check there"),
        ],
        "primaryKey": ["source_id", "target_id", "relation"],
        "foreignKeys": [{"fields": "source_id", "reference": {"resource": "iscms", "fields": "iscm_id"}},
                        {"fields": "target_id", "reference": {"resource": "iscms", "fields": "iscm_id"}}],
    },
    "sources": {
        "description": "The sources behind each ISCM's facts.",
        "fields": [
            ("iscm_id", _S, "The ISCM", {"required": True}),
            ("url", _S, "Web address (empty for printed material)"),
            ("title", _S, "Title of printed material"),
            ("used_for", _S, "Which facts it supports"),
            ("kind", _S, "What kind of source: iscm (the ISCM's own site), government (a member government), igo "
             "(IOM, the UN or another intergovernmental body), academic, news or web",
             {"enum": ["iscm", "government", "igo", "academic", "news", "web"]}),
            ("checked", _S, "When it was last checked (ISO date)"),
        ],
        "foreignKeys": [_ISCM_FK],
    },
    "gcm_objectives": {
        "description": "The 23 objectives of the Global Compact for Migration (GCM), in our own words.",
        "fields": [
            ("objective", _I, "Objective number", {"required": True, "minimum": 1, "maximum": 23}),
            ("short_label", _S, "A few words, for chart axes"),
            ("label", _S, "The objective in our own words"),
            ("source", _S, "Where the compact's own wording is"),
        ],
        "primaryKey": ["objective"],
    },
    "theme_gcm": {
        "description": "The crosswalk: which GCM objectives each theme's work covers, and why.",
        "fields": [
            ("theme_id", _S, "The theme", {"required": True}),
            ("objective", _I, "The GCM objective", {"required": True}),
            ("rationale", _S, "Why the theme covers the objective (one line)"),
            ("source", _S, "A source making the same link, where one exists"),
        ],
        "primaryKey": ["theme_id", "objective"],
        "foreignKeys": [_THEME_FK, _OBJ_FK],
    },
    "gcm_outside": {
        "description": "Themes outside the GCM, with the reason.",
        "fields": [
            ("theme_id", _S, "The theme", {"required": True}),
            ("reason", _S, "Why the theme lies outside the GCM"),
            ("source", _S, "The source of the reason"),
        ],
        "primaryKey": ["theme_id"],
        "foreignKeys": [_THEME_FK],
    },
    "iscm_gcm": {
        "description": "GCM objectives an ISCM's own sources name (empty objective: the compact as a whole); "
                       "these outrank the crosswalk.",
        "fields": [
            ("iscm_id", _S, "The ISCM", {"required": True}),
            ("objective", _I, "The GCM objective; empty when the source names the compact as a whole"),
            ("evidence", _S, "What the source says, in our own words"),
            ("source", _S, "The source (URL, or title of printed material)"),
            ("provenance", _S, "curated"),
        ],
        "foreignKeys": [_ISCM_FK, _OBJ_FK],
    },
}


def table_schema(name: str) -> dict[str, Any]:
    """The Table Schema of one table (fields with types, descriptions and constraints; keys)."""
    spec = SCHEMAS[name]
    fields = []
    for f in spec["fields"]:
        field: dict[str, Any] = {"name": f[0], "type": f[1], "description": f[2]}
        if len(f) > 3:
            field["constraints"] = dict(f[3])
        fields.append(field)
    schema: dict[str, Any] = {"fields": fields, "missingValues": [""]}
    for key in ("primaryKey", "foreignKeys"):
        if key in spec:
            schema[key] = spec[key]
    return schema


def descriptor(ds: Dataset, csv_bytes: dict[str, bytes] | None = None) -> dict[str, Any]:
    """datapackage.json for the dataset's tables (`csv_bytes`: the files, to record their size and hash)."""
    resources = []
    for name in ds.tables():
        res: dict[str, Any] = {
            "name": name, "path": f"{name}.csv", "profile": "tabular-data-resource", "format": "csv",
            "mediatype": "text/csv", "encoding": "utf-8", "description": SCHEMAS[name]["description"],
            "schema": table_schema(name),
        }
        if csv_bytes and name in csv_bytes:
            res["bytes"] = len(csv_bytes[name])
            res["hash"] = "sha256:" + hashlib.sha256(csv_bytes[name]).hexdigest()
        resources.append(res)
    return {
        "profile": "tabular-data-package", "name": NAME, "title": TITLE,
        "description": "Inter-State consultation mechanisms on migration (ISCMs): members, themes, partner "
                       "organizations, links, the GCM objectives they work on, and the source of every fact.",
        "version": ds.version or "0", "created": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "licenses": LICENSES, "sources": SOURCES, "resources": resources,
    }


def package_files(ds: Dataset) -> dict[str, bytes]:
    """File name -> bytes: one CSV per table and datapackage.json describing them."""
    csvs = {name: to_csv_bytes(df) for name, df in ds.tables().items()}
    files = {f"{name}.csv": data for name, data in csvs.items()}
    files["datapackage.json"] = (json.dumps(descriptor(ds, csvs), indent=2, ensure_ascii=False) + "\n").encode()
    return files


def write_package(ds: Dataset, out: str | Path) -> list[Path]:
    """Write the CSVs and datapackage.json into `out`; returns the paths written (datapackage.json last)."""
    target = Path(out)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for fname, data in package_files(ds).items():
        p = target / fname
        p.write_bytes(data)
        written.append(p)
    return written


def package_zip(ds: Dataset) -> bytes:
    """The data package as one ZIP (CSVs + datapackage.json), as the Data page offers it."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for fname, data in package_files(ds).items():
            z.writestr(fname, data)
    return buf.getvalue()


def readme_markdown() -> str:
    """The README's table reference, generated from SCHEMAS (between README_START and README_END)."""
    out = [README_START]
    for name, spec in SCHEMAS.items():
        keys = [f"primary key: {', '.join(f'`{k}`' for k in spec['primaryKey'])}"] if "primaryKey" in spec else []
        for fk in spec.get("foreignKeys", []):
            ref = fk["reference"]
            keys.append(f"`{fk['fields']}` → `{ref['resource'] or name}.{ref['fields']}`")
        out += ["", f"**`{name}.csv`**: {spec['description']}" + (f" ({'; '.join(keys)})" if keys else ""), "",
                "| field | type | description |", "| --- | --- | --- |"]
        out += [f"| `{f[0]}` | {f[1]} | {f[2]} |" for f in spec["fields"]]
    out.append(README_END)
    return "\n".join(out)


def update_readme(path: str | Path) -> bool:
    """Replace the generated block of a README with readme_markdown(); True when the file changed."""
    p = Path(path)
    text = p.read_text(encoding="utf-8")
    start, end = text.index(README_START), text.index(README_END) + len(README_END)
    new = text[:start] + readme_markdown() + text[end:]
    if new != text:
        p.write_text(new, encoding="utf-8")
    return new != text


def check_columns() -> list[str]:
    """Differences between SCHEMAS and the dataset's COLUMNS (empty when they agree)."""
    out = []
    for name, cols in COLUMNS.items():
        fields = [f[0] for f in SCHEMAS.get(name, {}).get("fields", [])]
        if fields != cols:
            out.append(f"{name}: schema {fields} != columns {cols}")
    return out


if __name__ == "__main__":  # python -m iscm.datapackage README.md
    for arg in sys.argv[1:]:
        print(f"{arg}: {'updated' if update_readme(arg) else 'already up to date'}")
