"""One State across the dataset: its ISCMs (any role), the themes and organizations around them, and its brief.

The Country page (`/country?iso3=DEU`) and the country brief read these tables; `iscm.membership` holds the
participation tables they start from. No Streamlit here.
"""

from __future__ import annotations

import datetime as dt
import html
import io

import pandas as pd
import plotly.graph_objects as go

from iscm import membership as mb
from iscm.dataset import Dataset
from iscm.model import ORG_KIND_LABELS
from iscm.palette import FONT

ROLE_ORDER = {"Member": 0, "Observer": 1}


def display_name(short_name: str, full_name: str | None, acronym: str | None) -> str:
    """How an ISCM is named to a reader: its short name, or its full name with the acronym when the short
    name is only the acronym ("APC" -> "Intergovernmental Asia-Pacific Consultations ... (APC)")."""
    short = str(short_name or "")
    full = str(full_name or "").strip()
    if full and (short == str(acronym or "") or (short.isupper() and " " not in short)):
        return f"{full} ({short})"
    return short


def display_names(iscms: pd.DataFrame) -> dict[str, str]:
    """iscm_id -> the name a reader sees (see `display_name`)."""
    return {r.iscm_id: display_name(r.short_name, r.full_name, r.acronym)
            for r in iscms[["iscm_id", "short_name", "full_name", "acronym"]].itertuples()}


def country_names(ds: Dataset) -> dict[str, str]:
    """iso3 -> name of every State or territory the dataset lists in an ISCM (any role), sorted by name."""
    first = ds.memberships.drop_duplicates("iso3")
    names = dict(zip(first["iso3"], first["country"], strict=True))
    return dict(sorted(names.items(), key=lambda kv: kv[1]))


def iscms_of(ds: Dataset, iso3: str) -> pd.DataFrame:
    """The ISCMs the dataset lists a State in, one row per ISCM and role: iscm_id, ISCM (reader's name), Role,
    Type, Since (the year the ISCM was established, empty when unknown), Themes. Members first, then by name."""
    table = mb.country_iscms(ds.memberships, ds.iscms, ds.iscm_themes, ds.themes, iso3)
    cols = ["iscm_id", "ISCM", "Role", "Type", "Since", "Themes"]
    if table.empty:
        return pd.DataFrame(columns=cols)
    names = display_names(ds.iscms)
    out = table.rename(columns={"Established": "Since"}).assign(ISCM=table["iscm_id"].map(names).fillna(table["ISCM"]))
    out["Since"] = pd.to_numeric(out["Since"], errors="coerce").astype("Int64")
    out["_o"] = out["Role"].map(ROLE_ORDER).fillna(2)
    return out.sort_values(["_o", "ISCM"]).drop(columns="_o")[cols].reset_index(drop=True)


def themes_of(ds: Dataset, iso3: str) -> pd.DataFrame:
    """The themes the State's ISCMs cover: theme_id, Theme, n_iscms, n_focus, ISCMs (reader's names, '; ')."""
    table = mb.country_themes(ds.memberships, ds.iscms, ds.iscm_themes, ds.themes, iso3)
    if table.empty:
        return table
    names = display_names(ds.iscms)
    mine = set(ds.memberships.loc[ds.memberships["iso3"] == iso3.upper(), "iscm_id"])
    by_theme = ds.iscm_themes[ds.iscm_themes["iscm_id"].isin(mine)].groupby("theme_id")["iscm_id"].unique()
    return table.assign(ISCMs=[
        "; ".join(sorted(names.get(i, i) for i in by_theme.get(t, []))) for t in table["theme_id"]])


def organizations_of(ds: Dataset, iso3: str) -> pd.DataFrame:
    """Organizations with a role in the State's ISCMs: org_id, Organization, Kind, Roles, ISCMs (names, '; ').
    The most widely shared first."""
    cols = ["org_id", "Organization", "Kind", "Roles", "ISCMs", "n_iscms"]
    mine = set(ds.memberships.loc[ds.memberships["iso3"] == iso3.upper(), "iscm_id"])
    links = ds.iscm_organizations[ds.iscm_organizations["iscm_id"].isin(mine)]
    if links.empty:
        return pd.DataFrame(columns=cols)
    names = display_names(ds.iscms)
    orgs = ds.organizations.set_index("org_id")
    rows = []
    for org_id, grp in links.groupby("org_id"):
        o = orgs.loc[org_id] if org_id in orgs.index else None
        label = str(o["name"]) if o is not None else str(org_id)
        if o is not None and str(o["acronym"] or "") and str(o["acronym"]) != label:
            label = f"{label} ({o['acronym']})"
        rows.append({
            "org_id": org_id, "Organization": label,
            "Kind": ORG_KIND_LABELS.get(str(o["kind"]), str(o["kind"])) if o is not None else "",
            "Roles": ", ".join(sorted({str(r).replace("_", " ") for r in grp["role"]})),
            "ISCMs": "; ".join(sorted(names.get(i, i) for i in grp["iscm_id"].unique())),
            "n_iscms": grp["iscm_id"].nunique(),
        })
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values(["n_iscms", "Organization"], ascending=[False, True], ignore_index=True)


def brief_figures(ds: Dataset, iso3: str, country: str) -> dict[str, go.Figure]:
    """The brief's charts: the map of the fellow members and the themes of the State's ISCMs."""
    from iscm.figures import maps

    fellow = mb.fellow_members_table(ds.memberships, ds.iscms, iso3)
    n_mine = ds.memberships.loc[ds.memberships["iso3"] == iso3, "iscm_id"].nunique()
    figs = {"map": maps.fellow_members_map(fellow, iso3, country, n_mine)}
    themes = mb.country_themes(ds.memberships, ds.iscms, ds.iscm_themes, ds.themes, iso3)
    if not themes.empty:
        figs["themes"] = maps.country_themes_figure(themes, country)
    return figs


def brief_html(ds: Dataset, iso3: str) -> bytes:
    """A State's brief as one self-contained HTML page (its ISCMs, fellow members map, themes, organizations,
    sources), charts interactive and working offline, in the style of the ISCM brief (`iscm.brief`)."""
    from iscm import brief as b

    iso3 = iso3.upper()
    names = country_names(ds)
    if iso3 not in names:
        raise KeyError(f"{iso3} takes part in no ISCM of this dataset")
    country = names[iso3]
    e = html.escape
    iscms = iscms_of(ds, iso3)
    themes = themes_of(ds, iso3)
    orgs = organizations_of(ds, iso3)
    figs = brief_figures(ds, iso3, country)
    head, blocks = b.html_chart_blocks(list(figs.values()))
    rows = "".join(
        f"<tr><td>{e(r.ISCM)}</td><td>{e(r.Role)}</td><td>{e(r.Type)}</td>"
        f"<td>{'' if pd.isna(r.Since) else int(r.Since)}</td><td>{e(r.Themes)}</td></tr>" for r in iscms.itertuples())
    theme_items = "".join(f"<li><b>{e(r.Theme)}</b>: {e(r.ISCMs)}</li>" for r in themes.itertuples())
    org_items = "".join(f"<li>{e(r.Organization)} ({e(r.Kind)}): {e(r.ISCMs)}</li>" for r in orgs.itertuples())
    src = ds.sources_for(iscms["iscm_id"].unique().tolist())
    sources = "".join(f"<li>{e(str(s))}</li>" for s in src)
    n = iscms["iscm_id"].nunique()
    n_member = iscms.loc[iscms["Role"] == "Member", "iscm_id"].nunique()
    n_observer = iscms.loc[iscms["Role"] == "Observer", "iscm_id"].nunique()
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{e(country)}: ISCM Atlas country brief</title>
<meta name="generator" content="ISCM Atlas">{head}
<style>body{{font-family:{FONT};max-width:1100px;margin:2em auto;color:#222;padding:0 1em}}
th,td{{text-align:left;padding:.2em .8em .2em 0;vertical-align:top}} th{{color:#444}} .tiles{{display:flex;gap:1em}}
.tile{{background:#f0f4f8;padding:.6em 1em;flex:1}} .tile b{{font-size:1.6em;color:#005a8c;display:block}}
small{{color:#555}}</style>
</head><body>
<p><small>ISCM Atlas · country brief · data as of {e(ds.data_date)} · dataset version {e(ds.version)}</small></p>
<h1>{e(country)} ({e(iso3)})</h1>
<div class="tiles"><div class="tile">ISCMs<b>{n}</b></div><div class="tile">As member<b>{n_member}</b></div>
<div class="tile">As observer<b>{n_observer}</b></div><div class="tile">Themes covered<b>{len(themes)}</b></div>
<div class="tile">Organizations<b>{len(orgs)}</b></div></div>
<h2>Its ISCMs</h2>
<table><thead><tr><th>ISCM</th><th>Role</th><th>Type</th><th>Since</th><th>Themes</th></tr></thead>
<tbody>{rows}</tbody></table>
{"".join(blocks)}
<h2>Themes its ISCMs cover</h2><ul>{theme_items}</ul>
<h2>Organizations in its ISCMs</h2><ul>{org_items}</ul>
<h2>Sources</h2><ol>{sources}</ol>
<p><small>“Since” is the year the ISCM was established; the dataset does not record when each State joined.</small></p>
</body></html>"""
    return page.encode("utf-8")


def brief_file_name(iso3: str, ext: str, day: dt.date | None = None) -> str:
    return f"iscm-country-brief_{iso3.upper()}_{(day or dt.date.today()).isoformat()}.{ext}"


COUNTRY_MAP_SIZE = (1400, 700)
COUNTRY_THEMES_SIZE = (1400, 900)


def country_url(iso3: str, base: str | None = None) -> str:
    """Absolute link to a State's Country page, e.g. https://atlas.example.org/country?iso3=DEU."""
    from iscm.brief import public_url

    return f"{(base or public_url()).rstrip('/')}/country?iso3={iso3.upper()}"


def brief_pdf(ds: Dataset, iso3: str, *, render_png=None, today: dt.date | None = None,  # noqa: ANN001, C901, PLR0915
              base_url: str | None = None) -> bytes:
    """A State's one-page brief as PDF bytes, in the layout of the ISCM brief (`iscm.brief`): the four headline
    numbers, its ISCMs (role, type, since), the map of its fellow members and the themes of its ISCMs, the
    organizations around them, the sources and a link to its Country page. `render_png` turns a figure into
    PNG (default: iscm.export through Chromium); without it the themes are drawn as bars and the map gives way
    to a note, so a brief is always made."""
    from fpdf.enums import MethodReturnValue, XPos, YPos

    from iscm import brief as b
    from iscm.export import source_host
    from iscm.figures.profile import for_print

    iso3 = iso3.upper()
    names = country_names(ds)
    if iso3 not in names:
        raise KeyError(f"{iso3} takes part in no ISCM of this dataset")
    country = names[iso3]
    iscms, themes, orgs = iscms_of(ds, iso3), themes_of(ds, iso3), organizations_of(ds, iso3)
    figs = brief_figures(ds, iso3, country)
    render = render_png or b.default_png
    pngs: dict[str, bytes | None] = {}
    error = ""
    for key, size in (("map", COUNTRY_MAP_SIZE), ("themes", COUNTRY_THEMES_SIZE)):
        if key not in figs or error:
            pngs[key] = None
            continue
        try:
            pngs[key] = render(for_print(figs[key], width=size[0], height=size[1], font_size=22))
        except Exception as exc:  # noqa: BLE001 - any export failure: drawn bars and a note instead
            pngs[key] = None
            error = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    link = country_url(iso3, base_url)

    pdf = b._Brief()  # noqa: SLF001 - the ISCM brief's page, fonts and text helpers
    pdf.set_title(pdf.t(f"{country}: ISCM Atlas country brief"))
    pdf.set_author("ISCM Atlas")
    pdf.set_creator("ISCM Atlas")
    pdf.add_page()
    m, w = b.MARGIN, b.PAGE_W - 2 * b.MARGIN
    pdf.top_line("ISCM Atlas · country brief", ds.data_date, today)
    pdf.font(19, bold=True)
    pdf.block(f"{country} ({iso3})", w, 8.5, 2)
    pdf.font(9, color=b.MUTED)
    pdf.block("The inter-State consultation mechanisms on migration the dataset lists it in, as member, observer "
              "or chair; the States it meets there; the themes and organizations of those dialogues.", w, 4.4, 3)

    n = iscms["iscm_id"].nunique()
    tiles = [("ISCMs", str(n)), ("As member", str(iscms.loc[iscms["Role"] == "Member", "iscm_id"].nunique())),
             ("As observer", str(iscms.loc[iscms["Role"] == "Observer", "iscm_id"].nunique())),
             ("Themes covered", str(len(themes)))]
    pdf.tiles(tiles, pdf.get_y() + 2)
    pdf.set_y(pdf.get_y() + 1)

    # --- its ISCMs: one line each (a long name is cut with an ellipsis; the Country page has it whole) --------
    cols = [("ISCM", 0.47), ("Role", 0.21), ("Type", 0.08), ("Since", 0.09), ("Focus themes", 0.15)]
    focus = ds.iscm_themes[ds.iscm_themes["level"] == "focus"].groupby("iscm_id")["theme_id"].nunique()
    pdf.font(8, bold=True)
    for label, share in cols:
        pdf.cell(w * share, 4.5, pdf.t(label))
    pdf.ln(4.5)
    pdf.set_draw_color(200, 200, 200)
    pdf.line(m, pdf.get_y(), m + w, pdf.get_y())
    pdf.font(7.5)
    for r in iscms.itertuples():
        values = [str(r.ISCM), str(r.Role), str(r.Type), "" if pd.isna(r.Since) else str(int(r.Since)),
                  str(int(focus.get(r.iscm_id, 0)))]
        pdf.set_x(m)
        for (_label, share), value in zip(cols, values, strict=True):
            pdf.cell(w * share, 3.9, pdf.fit(value, w * share - 1, 1))
        pdf.ln(3.9)
    pdf.set_y(pdf.get_y() + 2)

    # --- organizations and the footer, measured first: the charts take the room that is left ------------
    footer_top = b.PAGE_H - m - 14
    org_text = "; ".join(f"{r.Organization} ({r.n_iscms})" for r in orgs.head(14).itertuples())
    if len(orgs) > 14:
        org_text += f"; and {len(orgs) - 14} more (all on the Country page)"
    pdf.font(7)
    org_h = (5 + 3.3 * len(pdf.multi_cell(w, 3.3, pdf.t(org_text), dry_run=True, output=MethodReturnValue.LINES))
             if len(orgs) else 0)
    y = pdf.get_y()
    room = footer_top - y - org_h - 3
    map_h = w * COUNTRY_MAP_SIZE[1] / COUNTRY_MAP_SIZE[0]
    themes_h = w * COUNTRY_THEMES_SIZE[1] / COUNTRY_THEMES_SIZE[0] if "themes" in figs else 0.0
    if not pngs["map"]:
        map_h = 10.0
    if map_h + themes_h + 2 > room:  # shrink both to what the text leaves, keeping their proportions
        k = max(room, 40.0) / (map_h + themes_h + 2)
        map_h, themes_h = map_h * k, themes_h * k
    if pngs["map"]:
        mw = map_h * COUNTRY_MAP_SIZE[0] / COUNTRY_MAP_SIZE[1]
        pdf.image(io.BytesIO(pngs["map"]), x=m + (w - mw) / 2, y=y, w=mw, h=map_h)
        y += map_h + 2
    else:
        pdf.set_xy(m, y)
        pdf.font(8, color=b.MUTED)
        pdf.block("Map of its fellow members not included: image export needs Chromium on the machine that made "
                  "this brief" + (f" ({error})" if error else "") + ". The HTML brief shows it.", w, 4, 3)
        y = pdf.get_y() + 1
    if themes_h and pngs["themes"]:
        tw = themes_h * COUNTRY_THEMES_SIZE[0] / COUNTRY_THEMES_SIZE[1]
        pdf.image(io.BytesIO(pngs["themes"]), x=m + (w - tw) / 2, y=y, w=tw, h=themes_h)
    elif themes_h:
        top = themes.sort_values(["n_iscms", "Theme"], ascending=[False, True])
        rows = max(int((themes_h - 6) / 3.6), 1)
        items = [(str(t.Theme), int(t.n_iscms), b._hex(b.OKABE_ITO["blue"]), str(int(t.n_iscms)))  # noqa: SLF001
                 for t in top.head(rows).itertuples()]
        b._bars(pdf, m, y, w, themes_h, f"Themes of its ISCMs (ISCMs covering each, {len(themes)} themes)",  # noqa: SLF001
                items, max((i[1] for i in items), default=1))
    pdf.set_xy(m, y + themes_h + 1)
    if len(orgs):
        pdf.font(8, bold=True)
        pdf.cell(w, 4, pdf.t(f"Organizations in its ISCMs ({len(orgs)}; in how many)"), new_x=XPos.LMARGIN,
                 new_y=YPos.NEXT)
        pdf.font(7)
        pdf.multi_cell(w, 3.3, pdf.t(org_text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    # --- footer: sources and the link to the Country page -------------------------------------------------
    src = ds.sources_for(iscms["iscm_id"].unique().tolist())
    hosts: dict[str, int] = {}
    for s in src:
        hosts[source_host(str(s))] = hosts.get(source_host(str(s)), 0) + 1
    pdf.set_draw_color(200, 200, 200)
    pdf.line(m, footer_top, b.PAGE_W - m, footer_top)
    pdf.set_xy(m, footer_top + 1)
    pdf.font(6.8, color=b.MUTED)
    pdf.block(f"Sources ({len(src)}): " + "; ".join(f"{h} ({k})" if k > 1 else h for h, k in hosts.items())
              + f". “Since” is the year the ISCM was established. Dataset version {ds.version}.", w, 3.2, 2)
    pdf.font(6.8, color=b.ACCENT)
    pdf.set_x(m)
    pdf.multi_cell(w, 3.2, pdf.t("Every ISCM, theme and organization with its source: " + link), align="L",
                   new_x=XPos.LMARGIN, new_y=YPos.NEXT, link=link)
    pdf.set_xy(m, b.PAGE_H - m - 2)
    pdf.font(6.8, color=b.MUTED)
    pdf.cell(w, 3, pdf.t("ISCM Atlas · inter-State consultation mechanisms on migration"), align="C")
    return bytes(pdf.output())
