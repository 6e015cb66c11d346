"""Profile: one ISCM on one page — identity, members, themes, partners, links, structures, survey, sources.

Which ISCM: `/profile?iscm=prague-process` opens the Prague Process (the first of `?iscm=`); the page's
picker writes the same parameter. Here `?iscm=` is the page's subject, not the global ISCM filter: the
filter keeps what the other pages left it (`components.frame.frame(owns_iscm_param=True)`), so leaving a
profile they show what they showed before. Other filters (theme, region, type) do not hide a profile; they
only narrow the list shown when no ISCM is chosen.

Everything a document imported by a user says is shown as text: escaped Markdown or table cells.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.chart_panel import chart_item, chart_panel
from components.data import stored_imports
from components.filters import current_filters
from components.frame import PAGES, frame
from components.navigate import link_table, linked_table
from components.profile_views import SAFE_URL, profile_view
from components.sections import tabbed_sections
from components.tables import table
from components.url_state import url_widget
from iscm import brief
from iscm.country import display_names
from iscm.dates import readable_utc
from iscm.filters import Filters
from iscm.markup import entity_summary, entry_entities, escape_markdown, highlight_markdown
from iscm.profile import LOW_MARK, identity_rows, survey_findings

ctx = frame("Profile", owns_iscm_param=True)
full = ctx.full
URLS = {path: url for path, _t, url, _i in PAGES}
ENTITY_PAGES = {"profile": URLS.get("pages/profile.py", "profile"), "theme": URLS.get("pages/themes.py"),
                "country": URLS.get("pages/country.py")}
names = dict(zip(full.iscms["iscm_id"], full.iscms["short_name"], strict=True))
by_name = sorted(names, key=lambda i: names[i].lower())
chosen = [i for i in current_filters().iscms if i in names]  # the URL's ISCM filter, unknown ids dropped

# The picker is bound to the ISCM filter in the URL (components/url_state.py): it shows the first ISCM of the
# filter (a pasted link, a click on a linked ISCM) and a choice replaces the filter with that one ISCM.
top = st.columns([3, 2], vertical_alignment="bottom")
current = url_widget(top[0].selectbox, "iscm", label="ISCM", options=by_name, key="pf_iscm",
                     format_func=lambda i: names.get(i, i), placeholder="Choose an ISCM",
                     help="Opens that ISCM's profile; the ISCM filter of the other pages stays as it is.")


def link_md(label: str, url: str) -> str:
    """A Markdown link to an http(s) address; anything else is shown as plain (escaped) text."""
    if url and SAFE_URL.fullmatch(url):
        return f"[{escape_markdown(label)}](<{url}>)"
    return escape_markdown(label)


if current is None:
    st.title("ISCM profiles")
    st.markdown("Pick an ISCM above, or open one from the table. Each profile has its own address "
                "(`/profile?iscm=<id>`) to bookmark or share.")
    listing = ctx.ds.iscms.assign(ISCM=ctx.ds.iscms["iscm_id"].map(display_names(ctx.ds.iscms)))
    listing = listing.sort_values("ISCM", key=lambda c: c.str.lower())
    linked_table(pd.DataFrame({"iscm_id": listing["iscm_id"], "ISCM": listing["ISCM"], "Type": listing["type"],
                               "Regions": listing["regions"], "Members": listing["n_members"]}),
                 key="pf_list", id_column="iscm_id", to="profile")
    st.stop()

if len(chosen) > 1:
    st.info(f"The ISCM filter holds {len(chosen)} ISCMs; this is the first. Compare them side by side:",
            icon=":material/filter_alt:")
    st.page_link("pages/compare.py", label=escape_markdown(f"Compare {', '.join(names[i] for i in chosen[:4])}"),
                 icon=":material/compare_arrows:", query_params={"compare": ",".join(chosen[:4])})

view = profile_view(full.version, current, full)
p = view.profile
f = p.facts
own = Filters(iscms=(current,))
sources = view.sources

# ------------------------------------------------------------------------------------------- header
st.title(escape_markdown(p.name))
if f["full_name"] and f["full_name"] != p.name:
    st.caption(escape_markdown(str(f["full_name"])))
if f.get("provenance") == "survey":
    st.warning("This ISCM was added from an imported survey and is not in the curated dataset yet.",
               icon=":material/upload_file:")

low_areas = p.low_confidence_areas
if low_areas or view.n_low_members:
    parts = []
    if low_areas:
        parts.append(f"{', '.join(low_areas)} marked low confidence in the data")
    if view.n_low_members:
        parts.append(f"{view.n_low_members} participants individually marked low confidence")
    st.warning(f"{LOW_MARK}: {'; '.join(parts)}. Check the sources before relying on them.",
               icon=":material/warning:")

with top[1]:
    b1, b2 = st.columns(2)
    b1.download_button(
        "Brief (PDF)", data=lambda: brief.brief_pdf(full, current), file_name=brief.file_name(current, "pdf"),
        mime="application/pdf", key="pf_brief_pdf", icon=":material/picture_as_pdf:", on_click="ignore",
        help="One A4 page: key facts, map, themes and partners charts, sources. Made when you click.",
    )
    b2.download_button(
        "Brief (HTML)", data=lambda: brief.brief_html(full, current), file_name=brief.file_name(current, "html"),
        mime="text/html", key="pf_brief_html", icon=":material/code:", on_click="ignore",
        help="The same brief as a web page with interactive charts; opens offline.",
    )

m = st.columns(4)
is_open = f.get("participation") == "open"  # every UN Member State may take part; chairs are shown on the map
m[0].metric("Members", "Open" if is_open else len(p.members),
            help="Open to every UN Member State; the map marks the States that have chaired it" if is_open else None)
m[1].metric("Observers", len(p.observers))
n_focus = int((p.themes["level"] == "focus").sum()) if len(p.themes) else 0
m[2].metric("Themes", len(p.themes), help=f"{n_focus} declared focus, {len(p.themes) - n_focus} mentioned only")
m[3].metric("Organizations", len(p.organizations))

left, right = st.columns([3, 2])
with left:
    st.markdown(escape_markdown(str(f.get("summary") or "")))
with right:
    lines = []
    for label, value in identity_rows(p):
        if label == "Full name":
            continue
        shown = link_md(value, value) if label == "Website" else escape_markdown(value)
        lines.append(f"- **{label}:** {shown}")
    st.markdown("\n".join(lines))
if p.open_questions:
    st.info(f"**Open questions.** {escape_markdown(p.open_questions)}", icon=":material/help:")


# ------------------------------------------------------------------------------------------ members
def members_section() -> None:
    conf = p.confidence["members"]
    st.caption(("Open to every UN Member State; the map marks the States that have chaired it. " if is_open else "")
               + f"{len(p.members)} members and {len(p.observers)} observers; "
               f"{int(p.members['territory'].sum() + p.observers['territory'].sum())} territories taking part in "
               f"their own right. Membership list confidence: **{conf}**"
               + (f" ({LOW_MARK})" if conf == "low" else "") + ".")
    chart_panel(view.map_fig, key="pf_map", name=f"members-{current}", data=view.map_data, sources=sources,
                data_date=full.data_date, filters=own)
    link_table(view.people, key="pf_members", id_column="ISO3", to="country", keep_id=True,
               label=f"Members and observers of {p.name}", wrap=("Note",), drop=("iscm",),
               help_text=f"{len(view.people)} rows. Each name opens that country's page; Territory: takes part "
                         "in its own right. The map's CSV holds these rows.")

# ------------------------------------------------------------------------------------------- themes
def themes_section() -> None:
    conf = p.confidence["themes"]
    st.caption(f"Themes from the taxonomy: declared focus or only mentioned, the year a theme was added where "
               f"known. Theme confidence: **{conf}**" + (f" ({LOW_MARK})" if conf == "low" else "") + ".")
    chart_panel(view.themes_fig, key="pf_themes", name=f"themes-{current}",
                data=p.themes, sources=sources, data_date=full.data_date, filters=own)
    if len(p.themes):
        table(
            view.themes_shown, key="pf_theme_table",
            column_config={"Since": st.column_config.NumberColumn(format="%d")},
        )
    if f.get("theme_notes"):
        st.caption(escape_markdown(str(f["theme_notes"])))

# ------------------------------------------------------------------------------------ organizations
def organizations_section() -> None:
    conf = p.confidence["organizations"]
    st.caption(f"Organizations with a role in {escape_markdown(p.name)}, named as in the organization registry. "
               f"Confidence: **{conf}**" + (f" ({LOW_MARK})" if conf == "low" else "") + ".")
    if view.orgs_fig is not None:
        chart_panel(view.orgs_fig, key="pf_orgs", name=f"partners-{current}",
                    data=p.organizations, sources=sources, data_date=full.data_date, filters=own)
        table(view.orgs_shown, key="pf_org_table")
    else:
        st.info("No organization is recorded for this ISCM.")

# ------------------------------------------------------------------------------------- linked ISCMs
def links_section() -> None:
    if not len(p.links):
        st.info("No link to another ISCM is recorded.")
    st.caption("Each name opens that ISCM's profile; “compare” puts the two side by side.")
    for r in p.links.itertuples():
        c1, c2 = st.columns([4, 1])
        with c1:
            st.page_link("pages/profile.py", label=escape_markdown(str(r.other_name)), icon=":material/badge:",
                         query_params={"iscm": str(r.other_id)})
            way = {"to": "stated by this ISCM", "from": f"stated by {escape_markdown(str(r.other_name))}", "both": "stated by both"}
            st.caption(f"{escape_markdown(str(r.relation))} · {way[str(r.direction)]}"
                       + (f" · {escape_markdown(str(r.source_ref))}" if r.source_ref else "")
                       + (" · from a survey import" if "survey" in str(r.provenance) else ""))
            if r.evidence:
                st.caption(f"Evidence: {escape_markdown(str(r.evidence))}")
        c2.page_link("pages/compare.py", label="compare", icon=":material/compare_arrows:",
                     query_params={"compare": f"{current},{r.other_id}"})

# --------------------------------------------------------------------------- structures and funding
def structures_section() -> None:
    st.markdown("**Structures**")
    if p.structures:
        st.markdown("\n".join(f"- {escape_markdown(s)}" for s in p.structures))
    else:
        st.caption("No structure recorded.")
    st.markdown("**Funding**")
    st.markdown(escape_markdown(str(f.get("funding") or "")) or "Not known.")


# ----------------------------------------------------------------------------------- survey findings
def findings_section() -> None:
    # the user's imported surveys, from the same cache as the dataset (the frame already reported problems)
    findings = survey_findings(stored_imports(), current, p.name)
    if not findings:
        st.caption("No survey summary about this ISCM has been imported. Import one on the Data page; its five "
                   "sections then appear here with the themes, organizations, ISCMs and countries they name.")
    for k, finding in enumerate(findings):
        with st.expander(escape_markdown(f"{finding.document} · imported on {readable_utc(finding.imported_at)} · as "
                                         f"“{finding.entry_name}”"),
                         expanded=k == 0, icon=":material/description:"):
            st.caption("Survey text as imported. Highlighted names link to their profile or filter; "
                       "bold names are organizations.")
            for sec in finding.sections:
                st.markdown(f"**{sec.number}. {escape_markdown(sec.title)}**")
                text = sec.text
                ents = entry_entities(text, finding.entry, full)
                st.markdown(highlight_markdown(text, ents, ENTITY_PAGES))
                found = entity_summary(ents)
                if found:
                    kinds = {"iscm": "ISCMs", "theme": "Themes", "organization": "Organizations",
                             "country": "Countries"}
                    st.caption(" · ".join(
                        f"{kinds.get(kind, kind)}: {', '.join(escape_markdown(label) for _k, label in items)}"
                        for kind, items in found.items()))

# ------------------------------------------------------------------------------------------ sources
def sources_section() -> None:
    st.caption("Every fact above cites these by number, e.g. [2].")
    table(
        view.sources_shown, key="pf_sources",
        column_config={"Address": st.column_config.LinkColumn("Address")},
    )


# ------------------------------------------------------------------------------------------ the tabs
# Only the open tab is drawn (components/sections.py); the closed tabs' charts still go into "Download all".
def map_item():  # noqa: ANN201 - an export.ChartItem
    return chart_item(view.map_fig, name=f"members-{current}", data=view.map_data, sources=sources,
                      data_date=full.data_date, filters=own)


def themes_item():  # noqa: ANN201
    return chart_item(view.themes_fig, name=f"themes-{current}", data=p.themes, sources=sources,
                      data_date=full.data_date, filters=own)


def orgs_item():  # noqa: ANN201
    if view.orgs_fig is None:
        return None
    return chart_item(view.orgs_fig, name=f"partners-{current}", data=p.organizations, sources=sources,
                      data_date=full.data_date, filters=own)


tabbed_sections({
    "Members": (members_section, [map_item]),
    "Themes": (themes_section, [themes_item]),
    "Organizations": (organizations_section, [orgs_item]),
    "Linked ISCMs": (links_section, []),
    "Structures and funding": (structures_section, []),
    "Survey findings": (findings_section, []),
    "Sources": (sources_section, []),
}, filters=own)
