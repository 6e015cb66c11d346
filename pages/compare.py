"""Compare two to four ISCMs side by side: members in common and exclusive, themes, partners, structures.

The ISCMs compared live in the URL (`/compare?compare=prague-process,budapest-process`), so a comparison
can be bookmarked and shared. Without `compare`, the page takes the ISCMs of the global `iscm` filter
(two to four of them), so choosing ISCMs in the sidebar and opening Compare just works.
"""

from __future__ import annotations

import streamlit as st

from components.chart_panel import chart_item, chart_panel, theme_type
from components.filters import current_filters
from components.frame import frame
from components.navigate import link_table
from components.profile_views import compare_view
from components.sections import tabbed_sections
from components.tables import html_table, table
from components.url_state import url_values, url_widget
from iscm.compare import MAX_COMPARE, parse_ids
from iscm.filters import Filters
from iscm.markup import escape_markdown

ctx = frame("Compare")
full = ctx.full
names = dict(zip(full.iscms["iscm_id"], full.iscms["short_name"], strict=True))
by_name = sorted(names, key=lambda i: names[i].lower())

from_url = parse_ids(url_values("compare"), names)
from_filter = parse_ids(list(current_filters().iscms), names)

st.title("Compare ISCMs")
c1, c2 = st.columns([4, 1], vertical_alignment="bottom")
# Bound to `?compare=` (components/url_state.py); without it, the ISCMs of the sidebar filter (two or more).
ids = url_widget(c1.multiselect, "compare", label="ISCMs to compare", options=by_name, key="cmp_pick",
                 value=from_url or (from_filter if len(from_filter) >= 2 else from_url),
                 format_func=lambda i: names.get(i, i), max_selections=MAX_COMPARE,
                 placeholder=f"Choose two to {MAX_COMPARE} ISCMs")
observers = c2.toggle("Count observers", key="cmp_obs", help="Count observers as participants, not only members")
if ids and not from_url:
    st.caption("The ISCMs of the sidebar filter.")

if len(ids) < 2:
    st.info(f"Choose two to {MAX_COMPARE} ISCMs. The comparison gets its own address, e.g. "
            "`/compare?compare=prague-process,budapest-process`.", icon=":material/compare_arrows:")
    st.stop()

view = compare_view(full.version, tuple(ids), bool(observers), full)
cmp = view.cmp
what = "participants" if observers else "members"
own = Filters(iscms=tuple(ids))
sources = view.sources

links = st.columns(len(ids))
for col, i in zip(links, ids, strict=True):
    col.page_link("pages/profile.py", label=escape_markdown(f"{cmp.names[i]} profile"), icon=":material/badge:",
                  query_params={"iscm": i})

# ---------------------------------------------------------------------------------------- at a glance
st.header("At a glance")
st.html(html_table(cmp.facts.rename(columns={"field": "Fact"}), key="cmp_facts", label="At a glance",
                   row_header="Fact", wrap=tuple(cmp.names[i] for i in ids), theme=theme_type()))

# ----------------------------------------------------------------------------------------- members
def members_section() -> None:
    st.header(f"{what.capitalize()} in common and exclusive")
    mcols = st.columns(len(ids) + 1)
    in_all = "in both" if len(ids) == 2 else f"in all {len(ids)}"
    mcols[0].metric(f"{what.capitalize()} {in_all}", len(cmp.common))
    for col, i in zip(mcols[1:], ids, strict=True):
        col.metric(escape_markdown(f"Only in {cmp.names[i]}"), len(cmp.exclusive[i]),
                   help=f"{len(cmp.participant_sets[i])} {what} in all; these take part in none of the others compared")

    chart_panel(view.overlap_fig, key="cmp_overlap", name="compare-overlap", data=cmp.counts,
                sources=sources, data_date=full.data_date, filters=own)

    show = st.segmented_control(
        "Show", ["all", "common", *ids], key="cmp_show", default="all",
        format_func=lambda v: {"all": "All", "common": in_all.capitalize()}.get(v, escape_markdown(f"Only {names.get(v, v)}")),
    )
    members = cmp.participants
    if show == "common":
        members = members[members["iso3"].isin(cmp.common)]
    elif show in ids:
        members = members[members["iso3"].isin(cmp.exclusive[show])]
    link_table(
        members.rename(columns={"country": "State or territory", "iso3": "ISO3", "territory": "Territory",
                                "n_compared": "In how many"}),
        key="cmp_members", id_column="ISO3", to="country", keep_id=True, label=f"{what.capitalize()} compared",
        help_text=f"{len(members)} rows. Cells give the role in each ISCM; empty = not taking part. Each name opens "
                  "that country's page.", csv_name="compare-" + "-".join(ids),
    )
    with st.expander(f"Shared {what}, pair by pair"):
        pairs = cmp.pairwise.rename_axis("ISCM").reset_index()
        st.html(html_table(pairs, key="cmp_pairwise", label=f"Shared {what}, pair by pair", row_header="ISCM",
                           theme=theme_type()))
        st.caption(f"Each cell: the {what} the two ISCMs share; on the diagonal, all of an ISCM's {what}.")


# ---------------------------------------------------------------------------------------------- map
def map_section() -> None:
    st.header(f"Where their {what} are")
    chart_panel(view.map_fig, key="cmp_map", name="compare-map", data=view.map_data, sources=sources,
                data_date=full.data_date, filters=own)


# ------------------------------------------------------------------------------------------- themes
def themes_section() -> None:
    st.header("Themes")
    common_themes = cmp.common_themes
    st.caption(f"{len(common_themes)} themes covered by all {len(ids)}: "
               + (", ".join(common_themes["label"]) if len(common_themes) else "none") + ".")
    chart_panel(view.themes_fig, key="cmp_themes", name="compare-themes",
                data=cmp.themes, sources=sources, data_date=full.data_date, filters=own)


# ----------------------------------------------------------------------------------------- partners
def partners_section() -> None:
    st.header("Partners")
    common_partners = cmp.common_partners
    st.metric(f"Organizations working with all {len(ids)}", len(common_partners))
    table(
        cmp.partners.drop(columns=["org_id"]).rename(columns={"name": "Organization", "acronym": "Acronym",
                                                             "kind_label": "Kind", "n_compared": "With how many"}),
        key="cmp_partners",
    )

    # --------------------------------------------------------------------------------------- structures
    st.header("Structures")
    if len(cmp.structures):
        table(cmp.structures.rename(columns={"structure": "Structure", "n_compared": "In how many"}),
              key="cmp_structures")
    else:
        st.caption("No structures recorded for these ISCMs.")
    table(view.funding, key="cmp_funding")


# ------------------------------------------------------------------------------------------ the tabs
# Only the open tab is drawn (components/sections.py); the closed tabs' charts still go into "Download all".
def overlap_item():  # noqa: ANN201 - an export.ChartItem
    return chart_item(view.overlap_fig, name="compare-overlap", data=cmp.counts, sources=sources,
                      data_date=full.data_date, filters=own)


def map_item():  # noqa: ANN201
    return chart_item(view.map_fig, name="compare-map", data=view.map_data, sources=sources,
                      data_date=full.data_date, filters=own)


def themes_item():  # noqa: ANN201
    return chart_item(view.themes_fig, name="compare-themes", data=cmp.themes, sources=sources,
                      data_date=full.data_date, filters=own)


tabbed_sections({
    "Participation": (members_section, [overlap_item]),
    "Map": (map_section, [map_item]),
    "Themes": (themes_section, [themes_item]),
    "Partners and structures": (partners_section, []),
}, filters=own)
