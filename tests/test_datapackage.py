"""The open data package: `python -m iscm tables` writes CSVs + datapackage.json that Frictionless validates,
keys included; the Data page's ZIP holds the same package; the README documents the same schema."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import frictionless  # requirements-dev.txt
import pytest

from iscm import datapackage as dp
from iscm.cli import main
from iscm.dataset import TABLES

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("package")
    assert main(["tables", "--data", str(ROOT / "data"), "--out", str(out)]) == 0
    return out


def _errors(report) -> list:
    return report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_default_data_package_is_valid_with_every_key_resolving(package):
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    assert [r["name"] for r in descriptor["resources"]] == list(TABLES)
    keys = {(r["name"], fk["fields"]) for r in descriptor["resources"] for fk in r["schema"].get("foreignKeys", [])}
    for needed in [("memberships", "iscm_id"), ("iscm_themes", "theme_id"), ("iscm_organizations", "org_id"),
                   ("theme_gcm", "objective"), ("iscm_gcm", "iscm_id")]:
        assert needed in keys
    assert descriptor["licenses"][0]["name"] and descriptor["sources"]
    report = frictionless.validate(str(package / "datapackage.json"))
    assert report.valid, _errors(report)
    assert report.stats["tasks"] == len(TABLES)


def test_validation_catches_a_dangling_iscm_id(package, tmp_path):
    """Proof that the keys are checked: one unknown iscm_id in memberships.csv is reported as such."""
    for f in package.iterdir():
        (tmp_path / f.name).write_bytes(f.read_bytes())
    rows = list(csv.reader(io.StringIO((tmp_path / "memberships.csv").read_text(encoding="utf-8"))))
    rows[1][0] = "no-such-iscm"
    with open(tmp_path / "memberships.csv", "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    desc = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    for r in desc["resources"]:  # the edited file no longer matches its recorded size and hash
        r.pop("bytes"), r.pop("hash")
    (tmp_path / "datapackage.json").write_text(json.dumps(desc), encoding="utf-8")
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    errs = _errors(report)
    assert not report.valid
    assert [e[2] for e in errs] == ["foreign-key"] and "no-such-iscm" in errs[0][3]


def test_csv_headers_follow_the_schema(package):
    assert dp.check_columns() == []
    for name in TABLES:
        header = next(csv.reader(io.StringIO((package / f"{name}.csv").read_text(encoding="utf-8"))))
        assert header == [f["name"] for f in dp.table_schema(name)["fields"]], name


def test_readme_documents_the_same_schema():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme[readme.index(dp.README_START):readme.index(dp.README_END) + len(dp.README_END)]
    assert block == dp.readme_markdown(), "run `python -m iscm.datapackage README.md` to regenerate it"
    for name, spec in dp.SCHEMAS.items():
        assert f"**`{name}.csv`**" in block
        assert all(f"| `{f[0]}` | {f[1]} |" in block for f in spec["fields"])


def test_zip_of_a_filtered_dataset_is_a_valid_package(ds, tmp_path):
    sub = ds.subset(["budapest-process", "prague-process"])
    blob = dp.package_zip(sub)
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        names = set(z.namelist())
        assert names == {f"{t}.csv" for t in TABLES} | {"datapackage.json"}
        z.extractall(tmp_path)
    members = list(csv.DictReader(io.StringIO((tmp_path / "memberships.csv").read_text(encoding="utf-8"))))
    assert {r["iscm_id"] for r in members} == {"budapest-process", "prague-process"}
    gcm_rows = list(csv.DictReader(io.StringIO((tmp_path / "iscm_gcm.csv").read_text(encoding="utf-8"))))
    assert {r["iscm_id"] for r in gcm_rows} == {"budapest-process", "prague-process"}
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, _errors(report)
