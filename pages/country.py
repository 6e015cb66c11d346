"""Country: one State across the ISCMs — its ISCMs (any role), fellow members, themes, organizations,
GCM objectives and its brief.

`/country?iso3=DEU` opens Germany; the picker is bound to `?iso3=`. A click on a country on any map opens
this page; a row of its ISCM table opens that ISCM's profile, a country on the map of fellow members opens
that country. The global filters narrow the ISCMs shown, as on every page.
"""

import streamlit as st

from components import country_views as views
from components.chart_panel import chart_item, chart_panel, download_all_button
from components.frame import filter_notice, frame
from components.gcm_views import country_chart, country_gcm_section
from components.navigate import clicked_country, link_table, linked_table
from components.sections import tabbed_sections
from components.tables import table
from components.url_state import url_widget
from iscm import country as cty
from iscm.markup import escape_markdown

ctx = frame("Country")
ds, full, flt = ctx.ds, ctx.full, ctx.filters
subtitle = flt.describe(full) if flt.active else ""
names = views.names(full.version, full)

code = url_widget(st.selectbox, "iso3", label="State or territory", options=list(names), key="cty_iso3",
                  parse=str.upper, index=None, format_func=lambda c: f"{names[c]} ({c})",
                  placeholder="Choose a State or territory")

if not code:
    st.title("Countries")
    st.markdown("Every State and territory the dataset lists in an ISCM, as member, observer or chair. Choose "
                "one above or click its row to see its ISCMs, the themes they cover and its brief.")
    filter_notice(ctx)
    counts = ds.memberships.groupby("iso3")["iscm_id"].nunique()
    listing = (ds.memberships.drop_duplicates("iso3")[["iso3", "country"]]
               .assign(n=lambda d: d["iso3"].map(counts)).sort_values("country")
               .rename(columns={"country": "Country", "n": "ISCMs"}))
    linked_table(listing, key="cty_list", id_column="iso3", to="country")
    st.stop()

cname = names[code]
st.title(escape_markdown(cname))
st.caption(f"ISO3 code {code} · the ISCMs the dataset lists it in, as member, observer or chair.")
filter_notice(ctx)
view = views.country_view(ctx.key, code, cname, subtitle, ds, full)
its = view.table

b1, b2, _b3 = st.columns([1, 1, 2])
b1.download_button(
    "Country brief (PDF)", data=lambda: cty.brief_pdf(full, code), file_name=cty.brief_file_name(code, "pdf"),
    mime="application/pdf", key="cty_brief_pdf", icon=":material/picture_as_pdf:", on_click="ignore",
    help="One A4 page: its ISCMs, the map of fellow members, the themes and organizations of its ISCMs, sources. "
         "Made when you click; covers the whole dataset.",
)
b2.download_button(
    "Country brief (HTML)", data=lambda: cty.brief_html(full, code), file_name=cty.brief_file_name(code, "html"),
    mime="text/html", key="cty_brief_html", icon=":material/code:", on_click="ignore",
    help="Its ISCMs, the map of fellow members, themes, organizations and sources as one web page with "
         "interactive charts; opens offline. Made when you click; covers the whole dataset.",
)

if its.empty:
    st.info(f"{escape_markdown(cname)} takes part in none of the {len(ds.iscms)} ISCMs that pass the filters "
            f"({view.n_all} in the whole dataset).", icon=":material/info:")
    download_all_button()
    st.stop()

n = its["iscm_id"].nunique()
c1, c2, c3, c4 = st.columns(4)
c1.metric("ISCMs", n, help="Under the current filters" if flt.active else "Any role: member, observer or chair")
c2.metric("As member", its.loc[its["Role"] == "Member", "iscm_id"].nunique())
c3.metric("As observer", its.loc[its["Role"] == "Observer", "iscm_id"].nunique())
c4.metric("Themes covered", len(view.themes))
if flt.active and view.n_all != n:
    st.caption(f"{view.n_all} ISCMs in the whole dataset; the filters hide {view.n_all - n}.")

def iscms_section() -> None:
    st.header("Its ISCMs")
    link_table(its, key="cty_iscms", id_column="iscm_id", to="profile", label=f"The ISCMs of {cname}",
               wrap=("Themes",), csv_name=f"iscms-of-{code.lower()}",
               help_text=f"{len(its)} rows. Each name opens its profile; Since: the year the ISCM was established.")

    st.header("Fellow members")
    event = chart_panel(view.fellow, key="cty_fellow", name=f"fellow-members-{code.lower()}", data=view.fellow_data,
                        sources=view.sources, data_date=full.data_date, filters=flt, on_select="rerun",
                        selection_mode="points")
    clicked_country(event, names)


def themes_section() -> None:
    st.header("Themes its ISCMs cover")
    if view.themes_fig is None:
        st.info(f"No themes recorded for the ISCMs of {escape_markdown(cname)}.", icon=":material/info:")
    else:
        chart_panel(view.themes_fig, key="cty_themes", name=f"country-themes-{code.lower()}", data=view.themes,
                    sources=view.sources, data_date=full.data_date, filters=flt)
        shown = view.themes[["Theme", "n_iscms", "n_focus", "ISCMs"]].rename(columns={
            "n_iscms": "ISCMs covering it", "n_focus": "As a declared focus", "ISCMs": "Which ISCMs"})
        table(shown, key="cty_theme_table",
              column_config={"Which ISCMs": st.column_config.TextColumn("Which ISCMs", width="large")})


def organizations_section() -> None:
    st.header("Organizations in its ISCMs")
    if view.organizations.empty:
        st.info("No organization is recorded for its ISCMs.", icon=":material/info:")
    else:
        shown = view.organizations.drop(columns=["org_id", "n_iscms"]).rename(columns={"ISCMs": "In its ISCMs"})
        table(shown, key="cty_orgs",
              column_config={"In its ISCMs": st.column_config.TextColumn("In its ISCMs", width="large")})


def gcm_section() -> None:
    country_gcm_section(ctx.key, code, cname, subtitle, ds, full, flt)


# ------------------------------------------------------------------------------------------ the tabs
# Only the open tab is drawn (components/sections.py); the closed tabs' charts still go into "Download all".
def fellow_item():  # noqa: ANN201 - an export.ChartItem
    return chart_item(view.fellow, name=f"fellow-members-{code.lower()}", data=view.fellow_data,
                      sources=view.sources, data_date=full.data_date, filters=flt)


def themes_item():  # noqa: ANN201
    if view.themes_fig is None:
        return None
    return chart_item(view.themes_fig, name=f"country-themes-{code.lower()}", data=view.themes,
                      sources=view.sources, data_date=full.data_date, filters=flt)


def gcm_item():  # noqa: ANN201
    if full.gcm_objectives.empty:
        return None
    fig, gcm_table, sources = country_chart(ctx.key, code, cname, subtitle, ds, full)
    if fig is None:
        return None
    return chart_item(fig, name=f"country-gcm-{code.lower()}", data=gcm_table, sources=sources,
                      data_date=full.data_date, filters=flt)


tabbed_sections({
    "ISCMs and fellow members": (iscms_section, [fellow_item]),
    "Themes": (themes_section, [themes_item]),
    "Organizations": (organizations_section, []),
    "GCM objectives": (gcm_section, [gcm_item]),
}, filters=flt)
