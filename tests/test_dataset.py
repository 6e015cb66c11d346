"""The loader on the real default dataset, and every class of bad data file it must report."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from iscm.countries import is_valid_iso3
from iscm.dataset import COLUMNS, DatasetError, load

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"


# ---------- the default dataset ----------

def test_every_reference_iscm_is_in_the_default_dataset(ds):
    assert len(ds.iscms) == 37
    assert ds.iscms["iscm_id"].is_unique
    for name, cols in COLUMNS.items():
        assert list(getattr(ds, name).columns) == cols, name


def test_known_facts(ds):
    colombo = ds.memberships[ds.memberships["iscm_id"] == "colombo-process"]
    assert (colombo["role"] == "member").sum() == 12
    assert (colombo["role"] == "observer").sum() == 8
    assert "VNM" in set(colombo["iso3"])
    prague = ds.iscms.set_index("iscm_id").loc["prague-process"]
    assert prague["type"] == "RCP" and prague["established"] == 2009 and prague["secretariat"] == "ICMPD"
    asylum = ds.iscm_themes[(ds.iscm_themes["iscm_id"] == "prague-process")
                            & (ds.iscm_themes["theme_id"] == "asylum_protection")].iloc[0]
    assert asylum["level"] == "focus" and asylum["since"] == 2012
    kosovo = ds.memberships[(ds.memberships["iscm_id"] == "prague-process") & (ds.memberships["iso3"] == "XKX")]
    assert len(kosovo) == 1


def test_every_iscm_has_a_source_url(ds):
    with_url = set(ds.sources.loc[ds.sources["url"].str.startswith("http"), "iscm_id"])
    assert with_url == set(ds.iscms["iscm_id"])


def test_every_code_and_theme_is_valid(ds):
    assert all(is_valid_iso3(c) for c in ds.memberships["iso3"])
    assert set(ds.iscm_themes["theme_id"]) <= set(ds.themes["theme_id"])
    assert set(ds.iscm_organizations["org_id"]) <= set(ds.organizations["org_id"])
    ids = set(ds.iscms["iscm_id"])
    assert set(ds.iscm_links["source_id"]) <= ids and set(ds.iscm_links["target_id"]) <= ids


def test_territories_are_flagged_and_low_confidence_kept(ds):
    terr = ds.memberships[ds.memberships["territory"]]
    bali = set(terr.loc[terr["iscm_id"] == "bali-process", "iso3"])
    assert {"HKG", "MAC", "NCL"} <= bali
    assert {"PYF", "NCL", "WLF"} <= set(terr.loc[terr["iscm_id"] == "pidc", "iso3"])
    assert {"AIA", "MSR", "TCA"} <= set(terr.loc[terr["iscm_id"] == "cmc", "iso3"])
    apc = terr[terr["iscm_id"] == "apc"]
    assert set(apc["confidence"]) == {"low"}
    assert "low" in set(ds.iscms["confidence_members"])


def test_one_registry_entry_per_organization(ds):
    orgs = ds.organizations.set_index("org_id")
    assert orgs.loc["european-commission", "parent"] == "eu"
    assert orgs.loc["european-commission", "kind"] == "eu"
    assert "EASO" in orgs.loc["euaa", "aliases"]
    # no two registry entries answer to the same name
    names: dict[str, str] = {}
    for org_id, row in orgs.iterrows():
        for n in [row["acronym"], row["name"], *row["aliases"]]:
            key = n.lower()
            assert names.setdefault(key, org_id) == org_id, f"{n} names both {names[key]} and {org_id}"


def test_subset_and_helpers(ds):
    sub = ds.subset(["prague-process", "budapest-process"])
    assert set(sub.iscms["iscm_id"]) == {"prague-process", "budapest-process"}
    assert set(sub.memberships["iscm_id"]) == {"prague-process", "budapest-process"}
    assert set(sub.iscm_links["source_id"]) | set(sub.iscm_links["target_id"]) <= {
        "prague-process", "budapest-process"}
    assert ds.iscm_name("prague-process") == "Prague Process"
    assert ds.theme_label("asylum_protection") == "Asylum and international protection"
    assert len(ds.themes) == 14


# ---------- broken data directories ----------

@pytest.fixture
def data_copy(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


def problems_of(path) -> list[str]:
    with pytest.raises(DatasetError) as exc:
        load(path)
    return [str(p) for p in exc.value.problems]


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def test_yaml_syntax_error_names_file_and_line(data_copy):
    f = data_copy / "iscms" / "colombo-process.yaml"
    edit(f, "type: RCP", "type: [RCP")
    (p,) = [p for p in problems_of(data_copy) if "colombo" in p]
    assert p.startswith("iscms/colombo-process.yaml:line ") and "YAML syntax error" in p and "—" in p


def test_missing_required_field(data_copy):
    f = data_copy / "iscms" / "colombo-process.yaml"
    text = f.read_text(encoding="utf-8").splitlines(keepends=True)
    f.write_text("".join(line for line in text if not line.startswith("short_name:")), encoding="utf-8")
    assert any(p.startswith("iscms/colombo-process.yaml:short_name: required field is missing") for p in
               problems_of(data_copy))


def test_wrong_type(data_copy):
    edit(data_copy / "iscms" / "colombo-process.yaml", "established: 2003", "established: long ago")
    ps = problems_of(data_copy)
    assert any(p.startswith("iscms/colombo-process.yaml:established:") and "long ago" in p for p in ps)


def test_unknown_theme_id(data_copy):
    edit(data_copy / "iscms" / "colombo-process.yaml", "- id: labour_migration", "- id: labour_mobility")
    assert any("colombo-process.yaml:themes[" in p and "unknown theme id 'labour_mobility'" in p
               and "themes.yaml" in p for p in problems_of(data_copy))


def test_invalid_iso3(data_copy):
    edit(data_copy / "iscms" / "colombo-process.yaml", "iso3: AFG", "iso3: AFX")
    assert any(p.startswith("iscms/colombo-process.yaml:members[0].iso3: 'AFX' is not an ISO 3166") for p in
               problems_of(data_copy))


def test_duplicate_iscm_id(data_copy):
    shutil.copy(data_copy / "iscms" / "colombo-process.yaml", data_copy / "iscms" / "colombo-copy.yaml")
    ps = problems_of(data_copy)
    assert any("duplicate ISCM id 'colombo-process'" in p for p in ps)


def test_link_to_missing_iscm(data_copy):
    edit(data_copy / "iscms" / "colombo-process.yaml", "- id: abu-dhabi-dialogue", "- id: abu-dhabi-process")
    assert any(p.startswith("iscms/colombo-process.yaml:linked_iscms[0].id: links to ISCM 'abu-dhabi-process'")
               for p in problems_of(data_copy))


def test_organization_not_in_registry(data_copy):
    edit(data_copy / "iscms" / "colombo-process.yaml", "org: ilo", "org: ilo-geneva")
    assert any("colombo-process.yaml:organizations[" in p and "'ilo-geneva' is not in the registry" in p
               for p in problems_of(data_copy))


def test_member_listed_twice(data_copy):
    # Bahrain is an observer of the Colombo Process; listing it as a member too is a duplicate.
    edit(data_copy / "iscms" / "colombo-process.yaml", "- iso3: AFG\n  name: Afghanistan",
         "- iso3: AFG\n  name: Afghanistan\n- iso3: BHR\n  name: Bahrain")
    assert any("BHR (Bahrain) is listed twice" in p for p in problems_of(data_copy))


def test_every_problem_is_reported_at_once(data_copy):
    edit(data_copy / "iscms" / "colombo-process.yaml", "iso3: AFG", "iso3: AFX")
    edit(data_copy / "iscms" / "prague-process.yaml", "org: osce", "org: osce-vienna")
    edit(data_copy / "themes.yaml", "  - id: health\n", "  - id: Health Theme\n")
    ps = problems_of(data_copy)
    assert len(ps) >= 3
    assert {p.split(":")[0] for p in ps} >= {"iscms/colombo-process.yaml", "iscms/prague-process.yaml",
                                            "themes.yaml"}


def test_unknown_field_and_empty_file(data_copy):
    edit(data_copy / "iscms" / "colombo-process.yaml", "status: active", "status: active\nstatuss: x")
    (data_copy / "iscms" / "empty.yaml").write_text("", encoding="utf-8")
    ps = problems_of(data_copy)
    assert any(p.startswith("iscms/colombo-process.yaml:statuss: unknown field") for p in ps)
    assert any(p.startswith("iscms/empty.yaml: expected a mapping of fields, found an empty file") for p in ps)


def test_missing_directory():
    ps = problems_of(Path("/nonexistent/iscm-data"))
    assert "data directory not found" in ps[0]


def test_parse_cache_is_keyed_by_content_and_never_hides_a_problem(data_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    first = load(data_copy)
    cached = list((tmp_path / "cache" / "iscm-atlas" / "parsed-yaml").glob("*.json"))
    assert len(cached) == len(list((data_copy / "iscms").glob("*.yaml"))) + len(list(data_copy.glob("*.yaml")))
    again = load(data_copy)  # served from the cache: same tables
    for name, df in first.tables().items():
        assert df.equals(getattr(again, name)), name
    edit(data_copy / "iscms" / "colombo-process.yaml", "iso3: AFG", "iso3: AFX")
    assert any("'AFX' is not an ISO 3166" in p for p in problems_of(data_copy))


def test_sources_for_lists_each_source_once_in_table_order(ds):
    def expected(ids):
        src = ds.sources[ds.sources["iscm_id"].isin(list(ids))]
        return list(dict.fromkeys(src["url"].where(src["url"] != "", src["title"]).tolist()))

    ids = sorted(ds.iscms["iscm_id"])
    for chosen in (ids, ids[:1], ids[3:9], ["prague-process", "budapest-process"], [], ["no-such-iscm"]):
        assert ds.sources_for(chosen) == expected(chosen)
    assert ds.sources_for() == expected(ids)
    printed = ds.sources[ds.sources["url"] == ""]
    if len(printed):  # a printed source is named by its title
        assert printed["title"].iloc[0] in ds.sources_for([printed["iscm_id"].iloc[0]])


def test_lookups_built_on_first_use_are_not_carried_into_a_changed_copy(ds):
    from dataclasses import replace

    ds.sources_for(["prague-process"])
    assert ds.theme_label("asylum_protection") != "asylum_protection"
    fewer = replace(ds, sources=ds.sources[ds.sources["iscm_id"] != "prague-process"],
                    themes=ds.themes.assign(label="Renamed"))
    assert fewer.sources_for(["prague-process"]) == []
    assert fewer.theme_label("asylum_protection") == "Renamed"
    assert ds.subset(["budapest-process"]).sources_for(["prague-process"]) == []
