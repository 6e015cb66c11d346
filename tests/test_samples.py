"""The sample survey summaries in data/samples/: in step with the data and the script that writes them, and
imported cleanly in every format. They need nothing outside the checkout (no ../shared)."""

from __future__ import annotations

import functools
import importlib.util
import sys
from pathlib import Path

import pytest

from iscm.survey.extract import parse_document
from iscm.survey.parse import SECTION_IDS, parse_survey

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"


@functools.cache
def _tool():
    """tools/make_samples.py, the script that writes the samples."""
    spec = importlib.util.spec_from_file_location("make_samples", ROOT / "tools" / "make_samples.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["make_samples"] = mod  # dataclasses look their module up while the script loads
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def built(ds):
    return _tool().build(ds)


def _sections(data: bytes, name: str) -> list[tuple[str, dict[str, str]]]:
    doc = parse_survey(name, data)
    return [(e.name, {sid: " ".join(s.text.split()) for sid, s in e.sections.items()}) for e in doc.entries]


def test_every_sample_is_committed_in_three_formats(built):
    stems = {s.stem for s in _tool().SAMPLES}
    assert len(stems) >= 2
    assert {p.name for p in SAMPLES.iterdir()} == {f"{s}.{ext}" for s in stems for ext in ("txt", "docx", "pdf")}
    assert set(built) == {p.name for p in SAMPLES.iterdir()}


def test_committed_samples_equal_what_the_script_makes(built):
    """Run `python tools/make_samples.py` after changing the data: the samples are written from it."""
    for name, data in built.items():
        committed = (SAMPLES / name).read_bytes()
        if name.endswith(".txt"):
            assert committed == data, f"{name} is stale — run python tools/make_samples.py"
        else:  # DOCX/PDF containers carry packaging details; what they say must be the same
            assert _sections(committed, name) == _sections(data, name), f"{name} is stale"


@pytest.mark.parametrize("stem", [s.stem for s in _tool().SAMPLES])
def test_sample_imports_cleanly_and_alike_in_every_format(stem, ds):
    iscms = dict(zip([s.stem for s in _tool().SAMPLES], [s.iscms for s in _tool().SAMPLES], strict=True))[stem]
    results = {}
    for ext in ("txt", "docx", "pdf"):
        r = parse_document(f"{stem}.{ext}", (SAMPLES / f"{stem}.{ext}").read_bytes(), ds).to_dict()
        assert r["warnings"] == [], (ext, r["warnings"])
        assert [e["iscm_id"] for e in r["entries"]] == list(iscms)
        results[ext] = {e["iscm_id"]: ({t["id"] for t in e["themes"]}, {c["id"] for c in e["countries"]},
                                       {o["id"] for o in e["organizations"]}) for e in r["entries"]}
    assert results["txt"] == results["pdf"] == results["docx"]


@pytest.mark.parametrize("stem", [s.stem for s in _tool().SAMPLES])
def test_page_furniture_footnote_and_hyphenation_are_real_and_cleaned(stem, ds):
    raw = (SAMPLES / f"{stem}.txt").read_text(encoding="utf-8")
    pages = raw.count("\f")
    assert pages >= 2 and raw.count(f"\n{_tool().FOOTER}\n") == pages
    assert "\n1 Participation as recorded" in raw
    broken = [ln for ln in raw.splitlines() if ln.endswith("-") and ln[-2].isalpha()]
    assert broken, "no word is broken over a line end"
    doc = parse_survey(f"{stem}.txt", raw.encode())
    text = " ".join(s.text for e in doc.entries for s in e.sections.values())
    assert "Participation as recorded" not in text and _tool().FOOTER not in text
    assert all(len(e.sections) == len(SECTION_IDS) for e in doc.entries)
    first = broken[0]
    word = first.rsplit(" ", 1)[-1][:-1] + raw.splitlines()[raw.splitlines().index(first) + 1].split(" ", 1)[0]
    assert word.strip(".,;:") in " ".join(doc.preamble) + text


def test_sample_facts_come_from_the_data(ds):
    """Each entry says what the data holds: its focus themes are found as focus themes of that ISCM."""
    for sample in _tool().SAMPLES:
        r = parse_document(f"{sample.stem}.txt", (SAMPLES / f"{sample.stem}.txt").read_bytes(), ds).to_dict()
        for e in r["entries"]:
            data_themes = set(ds.iscm_themes.loc[ds.iscm_themes["iscm_id"] == e["iscm_id"], "theme_id"])
            members = set(ds.memberships.loc[ds.memberships["iscm_id"] == e["iscm_id"], "iso3"])
            assert {t["id"] for t in e["themes"]} <= data_themes | {"global_governance"}
            assert members <= {c["id"] for c in e["countries"]}


# --- the samples in use: command line and Data page, with nothing outside the checkout ------------------------

def test_cli_imports_a_sample_as_json_and_stores_it_once(tmp_path, capsys):
    import json

    from iscm.cli import main
    from iscm.survey.store import SurveyStore

    sample = SAMPLES / "sample-americas.pdf"
    home = tmp_path / "home"
    assert main(["import", str(sample), "--json", "--dry-run", "--home", str(home)]) == 0
    out, err = capsys.readouterr()
    doc = json.loads(out)
    assert [e["iscm_id"] for e in doc["entries"]] == list(_tool().SAMPLES[2].iscms)
    assert doc["warnings"] == [] and "dry run: nothing stored" in err and not home.exists()
    assert main(["import", str(sample), "--home", str(home)]) == 0
    assert main(["import", str(sample), "--home", str(home)]) == 0
    assert "nothing changed" in capsys.readouterr().out
    assert len(SurveyStore(home).list()) == 1


def test_data_page_tries_a_sample_then_imports_and_removes_it(app_test, ds):
    import os

    from tests.conftest import shown

    at = app_test().run()
    at.switch_page("pages/data.py").run()
    assert not at.exception
    pick = at.selectbox(key="survey_sample_pick")
    assert set(pick.options) == {p.name for p in SAMPLES.iterdir()}
    pick.set_value("sample-africa.docx").run()
    at.button(key="survey_sample").click().run()
    assert not at.exception
    assert "Read 3 ISCM entries" in at.success[0].value
    entries = next(d.value for d in at.dataframe if "Matched ISCM" in d.value.columns)
    assert entries["Matched ISCM"].tolist() == ["MIDSA", "MIDWA", "IGAD-RCP"]
    facts = len(parse_document("sample-africa.docx", (SAMPLES / "sample-africa.docx").read_bytes(),
                               ds).preview())
    home = os.environ["ISCM_ATLAS_HOME"]
    at.button(key="import_confirm").click().run()
    assert not at.exception
    assert any(shown(s.value).startswith(f"Imported: 3 ISCMs, {facts} facts from sample-africa.docx")
               for s in at.success)
    links = [(p.proto.label, p.proto.query_string) for p in at.main.get("page_link")]
    assert [q for _label, q in links] == ["iscm=midsa", "iscm=midwa", "iscm=igad-rcp"]
    assert [label.split(" · ")[0] for label, _q in links] == ["MIDSA", "MIDWA", "IGAD\\-RCP"]
    assert "import_confirm" not in [b.key for b in at.button]
    assert len(os.listdir(os.path.join(home, "imports"))) == 1
    remove = [b for b in at.button if b.key and b.key.startswith("rm_")]
    remove[0].click().run()
    assert os.listdir(os.path.join(home, "imports")) == []

