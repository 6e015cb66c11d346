"""iscm.compare: two to four ISCMs side by side (moved from tests/test_profile.py with the module)."""

from __future__ import annotations

import pandas as pd
import pytest

from iscm import compare as C
from iscm import profile as P


def members(ds, iscm_id: str, roles=("member",)) -> set[str]:
    m = ds.memberships
    return set(m.loc[(m.iscm_id == iscm_id) & m.role.isin(roles), "iso3"])


def test_compare_two_members_common_and_exclusive(ds):
    a, b = members(ds, "prague-process"), members(ds, "budapest-process")
    c = C.compare(ds, ["prague-process", "budapest-process"])
    assert c.common == a & b and len(c.common) == len(a & b)
    assert c.exclusive["prague-process"] == a - b
    assert c.exclusive["budapest-process"] == b - a
    counts = c.counts.set_index("ISCM")
    assert counts.at["Prague Process", "participants"] == len(a)
    assert counts.at["Budapest Process", "only here"] == len(b - a)
    assert c.pairwise.at["Prague Process", "Budapest Process"] == len(a & b)
    assert c.pairwise.at["Budapest Process", "Budapest Process"] == len(b)
    assert len(c.participants) == len(a | b)
    assert set(c.participants.loc[c.participants["n_compared"] == 2, "iso3"]) == a & b


def test_compare_observers_optional(ds):
    with_obs = C.compare(ds, ["budapest-process", "prague-process"], roles=("member", "observer"))
    assert with_obs.participant_sets["budapest-process"] == members(ds, "budapest-process", ("member", "observer"))
    assert len(with_obs.participant_sets["budapest-process"]) > len(members(ds, "budapest-process"))


def test_compare_reuses_given_profiles_and_builds_the_rest(ds, monkeypatch):
    ids = ["prague-process", "budapest-process", "almaty-process"]
    expected = C.compare(ds, ids)
    given = {i: P.build_profile(ds, i) for i in ids[:2]}
    built = []
    real = P.build_profile
    monkeypatch.setattr(C, "build_profile", lambda d, i: built.append(i) or real(d, i))
    got = C.compare(ds, ids, profiles=given)
    assert built == ["almaty-process"]  # only the profile not given is built
    pd.testing.assert_frame_equal(got.facts, expected.facts)
    pd.testing.assert_frame_equal(got.participants, expected.participants)
    pd.testing.assert_frame_equal(got.themes, expected.themes)


def test_compare_themes_partners_structures(ds):
    ids = ["prague-process", "budapest-process", "rabat-process"]
    c = C.compare(ds, ids)
    for i in ids:
        col = c.names[i]
        mine = ds.iscm_themes[ds.iscm_themes.iscm_id == i]
        assert set(c.themes.loc[c.themes[col] != "", "theme_id"]) == set(mine["theme_id"])
        assert set(c.themes.loc[c.themes[col] == "focus", "theme_id"]) == set(mine.loc[mine.level == "focus",
                                                                                        "theme_id"])
    orgs = [set(ds.iscm_organizations.loc[ds.iscm_organizations.iscm_id == i, "org_id"]) for i in ids]
    assert set(c.common_partners["org_id"]) == set.intersection(*orgs)
    assert "icmpd" in set(orgs[0]) & set(orgs[1])
    structs = [{s.strip().lower() for s in ds.iscms.set_index("iscm_id").at[i, "structures"].split(";")} for i in ids]
    common = set(c.structures.loc[c.structures["n_compared"] == 3, "structure"].str.lower())
    assert common == set.intersection(*structs)
    assert c.facts.set_index("field").at["Secretariat", "Prague Process"] == "ICMPD"


@pytest.mark.parametrize("ids", [["prague-process"], ["a", "b", "c", "d", "e"]])
def test_compare_needs_two_to_four(ds, ids):
    with pytest.raises(ValueError, match="two to 4"):
        C.compare(ds, ids)


def test_parse_ids():
    valid = ["a", "b", "c", "d", "e"]
    assert C.parse_ids("a,b,a,,zz, c", valid) == ["a", "b", "c"]
    assert C.parse_ids(["a,b", "e"], valid) == ["a", "b", "e"]
    assert C.parse_ids("a,b,c,d,e", valid) == ["a", "b", "c", "d"]
    assert C.parse_ids(None, valid) == []
