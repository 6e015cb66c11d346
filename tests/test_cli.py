"""`python -m iscm validate|tables` as data maintainers run it in their pipelines."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd

from iscm.cli import main
from iscm.dataset import load
from tests.conftest import N_ISCMS

ROOT = Path(__file__).resolve().parents[1]


def test_validate_ok_on_default_data(capsys):
    assert main(["validate", "--data", str(ROOT / "data")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("OK ") and f"{N_ISCMS} ISCMs" in out


def test_validate_lists_problems_and_fails(tmp_path, capsys):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    f = data / "iscms" / "midsa.yaml"
    f.write_text(f.read_text(encoding="utf-8").replace("type: RCP", "type: Regional"), encoding="utf-8")
    assert main(["validate", "--data", str(data)]) == 1
    err = capsys.readouterr().err
    assert "INVALID" in err and "iscms/midsa.yaml:type:" in err and "Regional" in err


def test_tables_writes_one_csv_per_table(tmp_path):
    out = tmp_path / "out"
    assert main(["tables", "--data", str(ROOT / "data"), "--out", str(out)]) == 0
    names = sorted(p.name for p in out.glob("*.csv"))
    assert names == sorted(f"{t}.csv" for t in ["iscms", "memberships", "themes", "iscm_themes", "organizations",
                                                 "iscm_organizations", "iscm_links", "sources", "gcm_objectives",
                                                 "theme_gcm", "gcm_outside", "iscm_gcm"])
    assert (out / "datapackage.json").is_file()
    members = pd.read_csv(out / "memberships.csv")
    assert list(members.columns[:4]) == ["iscm_id", "iso3", "country", "role"]
    shipped = load(ROOT / "data").memberships
    assert len(members[(members.iscm_id == "colombo-process") & (members.role == "member")]) == len(
        shipped[(shipped.iscm_id == "colombo-process") & (shipped.role == "member")]) > 0
    themes = pd.read_csv(out / "themes.csv")
    assert "smuggl*" in themes.set_index("theme_id").loc["smuggling", "keywords"]


def test_module_entry_point_exit_codes(tmp_path):
    ok = subprocess.run([sys.executable, "-m", "iscm", "validate"], cwd=ROOT, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    bad = subprocess.run([sys.executable, "-m", "iscm", "validate", "--data", str(tmp_path / "none")], cwd=ROOT,
                         capture_output=True, text=True)
    assert bad.returncode == 1 and "data directory not found" in bad.stderr
