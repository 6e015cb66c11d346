"""Tables keep the column naming each row in view: it is pinned, so a table wider than a phone scrolls under it."""

from __future__ import annotations

import json
import re

import pytest
import streamlit as st

from components.tables import key_column, pinned_config
from tests.conftest import open_page


def test_the_key_column_is_the_named_one_else_the_first_of_a_wide_table():
    assert key_column(["ISO3", "State or territory", "Territory"]) == "State or territory"
    assert key_column(["#", "Address", "Title", "Supports"]) == "#"
    assert key_column(["In both", "Only A", "Only B"]) is None  # fits a phone: nothing to pin


def test_pinning_keeps_a_column_s_other_settings():
    config = pinned_config(["Theme", "Which ISCMs"], {"Theme": st.column_config.TextColumn("Theme", width="small"),
                                                      "Which ISCMs": "Its ISCMs"})
    assert config["Theme"]["pinned"] is True and config["Theme"]["width"] == "small"
    assert config["Which ISCMs"] == "Its ISCMs"  # not the key column: untouched
    assert pinned_config(["A", "B"], {"A": "First"}, pin="A")["A"] == {"label": "First", "pinned": True}
    assert pinned_config(["A", "B"], {"A": None}, pin="A") == {"A": None}  # a hidden column stays hidden


PAGES = [("pages/profile.py", {"iscm": "prague-process"}), ("pages/gcm.py", {"section": "One objective"}),
         ("pages/gcm.py", {"section": "Gaps by region"}), ("pages/gcm.py", {"section": "Crosswalk"}),
         ("pages/compare.py", {"compare": "prague-process,budapest-process"}), ("pages/data.py", {}),
         ("pages/country.py", {"iso3": "DEU"}), ("pages/overview.py", {})]


@pytest.mark.parametrize("page,query", PAGES, ids=[p[0][6:-3] for p in PAGES])
def test_every_wide_table_of_a_page_pins_a_column(app_test, page, query):
    at = open_page(app_test, page, **query)
    bodies = [h.proto.body for h in at.get("html") if "<table data-key=" in h.proto.body]
    assert len(at.dataframe) + len(bodies)
    for body in bodies:  # an HTML table (components.tables.html_table): each row opens on its name, kept in view
        rows = re.findall(r"<tr>(.*?)</tr>", body.split("<tbody>", 1)[1], re.S)
        assert rows and all(r.startswith('<th scope="row"') for r in rows)
        assert ".iscm-table tbody th{position:sticky;left:0" in body
    for d in at.dataframe:
        columns = [str(c) for c in d.value.columns]
        config = json.loads(d.proto.columns or "{}")
        pinned = [name for name, c in config.items() if isinstance(c, dict) and c.get("pinned")]
        if len(columns) > 3:
            assert pinned, columns
        assert set(pinned) <= set(columns)


def test_an_html_table_escapes_every_value_and_links_only_its_names():
    import pandas as pd

    from components.tables import html_table

    data = pd.DataFrame({"Since": [2009.0, None], "State or territory": ["<b>Bad</b> & co", "Plain"],
                         "Territory": [True, False], "Note": ['say "hi"', ""]})
    out = html_table(data, key="t", label="A <table>", links=["country?iso3=AAA&x=<1>", None], wrap=("Note",))
    assert "<b>Bad</b>" not in out and "&lt;b&gt;Bad&lt;/b&gt; &amp; co" in out
    assert 'aria-label="A &lt;table&gt;"' in out
    # the name column comes first, as the row's header, with its link; the other row has none
    assert '<th scope="row"><a href="country?iso3=AAA&amp;x=&lt;1&gt;">&lt;b&gt;Bad' in out
    assert '<th scope="row">Plain</th>' in out
    heads = re.findall(r'<th scope="col"[^>]*>(.*?)</th>', out)
    assert heads == ["State or territory", "Since", "Territory", "Note"]
    # whole numbers as integers, right-aligned; a missing one empty; True as "Yes"; long text wraps
    assert '<td class="num">2009</td>' in out and "2009.0" not in out
    assert "<td>Yes</td>" in out and '<td class="wrap">say &quot;hi&quot;</td>' in out
