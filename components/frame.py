"""The frame every page draws first: page config, sidebar (brand, page links, global filters), error page.

Each page module calls `frame()` itself instead of app.py drawing it, so a deep link that reaches a page
module before `st.navigation` has run once still shows the whole app (see docs/architecture.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from components.auth import account_sidebar
from components.data import get_dataset
from components.filters import filter_sidebar
from components.responsive import page_style
from components.search import find_box
from iscm.dataset import Dataset, DatasetError
from iscm.filters import Filters, apply_filters
from iscm.markup import escape_markdown

# A local favicon: a Material icon as page_icon would make the browser fetch it from a font CDN.
FAVICON = str(Path(__file__).resolve().parents[1] / "static" / "favicon.png")

# (file, title, url path, icon): the pages of the app, in menu order. app.py registers exactly these.
PAGES: list[tuple[str, str, str, str]] = [
    ("pages/overview.py", "Overview", "overview", ":material/dashboard:"),
    ("pages/country.py", "Country", "country", ":material/flag_circle:"),
    ("pages/themes.py", "Themes", "themes", ":material/category:"),
    ("pages/gcm.py", "GCM", "gcm", ":material/flag:"),
    ("pages/membership.py", "Membership", "membership", ":material/public:"),
    ("pages/network.py", "Network", "network", ":material/hub:"),
    ("pages/data.py", "Data", "data", ":material/table:"),
    ("pages/profile.py", "Profile", "profile", ":material/badge:"),
    ("pages/compare.py", "Compare", "compare", ":material/compare_arrows:"),
]


@dataclass(frozen=True)
class ViewKey:
    """The cache key of a filtered dataset: its data version and the filters that cut it.

    The views' caches (`components/*_views.py`) take the dataset itself unhashed (`_ds`); this key pins it
    down, so two calls with equal keys are given the same dataset.
    """

    version: str
    filters: Filters

    def token(self) -> tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        """The key's values as a flat tuple: what the caches hash (half the cost of Streamlit hashing the
        dataclass itself, which it first copies into a dict)."""
        f = self.filters
        return (self.version, f.iscms, f.themes, f.regions, f.types)


def view_cache(*, max_entries: int, ttl: str | None = None, show_spinner: bool | str = False):  # noqa: ANN201
    """The cache of a per-filter view (docs/architecture.md, "Caching"): an `st.cache_resource` entry shared
    by all sessions, bounded (`max_entries`, optionally a `ttl`), whose arguments include a `ViewKey`."""
    return st.cache_resource(show_spinner=show_spinner, max_entries=max_entries, ttl=ttl,
                             hash_funcs={ViewKey: ViewKey.token})


@dataclass(frozen=True)
class PageContext:
    full: Dataset  # the whole dataset (with imported surveys)
    ds: Dataset  # restricted to the ISCMs that pass the global filters
    filters: Filters
    key: ViewKey  # pins down `ds` for the views' caches, which take it unhashed


PAGES_STATE = "_app_pages"  # session state: (main script's directory, the st.Page objects of PAGES)


def _main_dir() -> str | None:
    """The main script's directory for this script run (None outside one)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return str(Path(ctx.main_script_path).parent) if ctx is not None else None


def _front_door() -> None:
    """The app's root URL (`/`): open Overview with whatever the query string holds.

    Streamlit serves the default st.Page at `/` and, once st.navigation has run, at no other path; a hidden
    front door that routes keeps `/overview?type=IRF` (a shared link) answering with Overview and its filters.
    """
    st.switch_page(PAGES[0][0], query_params=st.query_params.to_dict())


def app_pages() -> list:
    """The st.Page objects of PAGES plus the hidden front door (first, the default), made once per session
    (app.py routes over them; page links reuse them).

    Making them on every rerun resolved nine script paths each time. Not shared between sessions:
    st.navigation marks the chosen Page object runnable and Page.run clears the mark, so two sessions
    running the same object at once would trip over each other. No st.Page has an icon: the icon of the page
    served at `/` becomes the tab's favicon, and a Material icon would be fetched from a font CDN; the menu
    links carry the icons (`_sidebar_links`).
    """
    home = _main_dir() or ""
    held = st.session_state.get(PAGES_STATE)
    if held is None or held[0] != home:
        door = st.Page(_front_door, title="ISCM Atlas", url_path="home", default=True, visibility="hidden")
        held = (home, [door, *(st.Page(path, title=title, url_path=url) for path, title, url, _i in PAGES)])
        st.session_state[PAGES_STATE] = held
    return held[1]


def _registered_pages() -> list | None:
    """This session's st.Page objects when st.navigation has registered them, else None: a fresh server's
    first deep link runs the page module alone, and its links then go by script path."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    held = st.session_state.get(PAGES_STATE)
    home = _main_dir()
    if home is None or held is None or held[0] != home:
        return None
    pages = held[1][1:]  # the front door has no menu link
    registered = get_script_run_ctx().pages_manager.get_pages()
    return pages if pages[0]._script_hash in registered else None  # noqa: SLF001


def _sidebar_links(nav, filters: Filters) -> None:  # noqa: ANN001 - a Streamlit container
    nav.markdown("### ISCM Atlas")
    nav.caption("Inter-State consultation mechanisms on migration")
    params = filters.to_params()
    registered = _registered_pages()
    for n, (path, title, _url, icon) in enumerate(PAGES):
        nav.page_link(registered[n] if registered else path, label=title, icon=icon, query_params=params or None)


def show_data_error(err: DatasetError) -> None:
    """A clear error page for a broken data directory: every problem, and how to fix it. No traceback."""
    st.error(f"The data directory (`ISCM_DATA_DIR`) could not be loaded: {len(err.problems)} problem(s) to fix.",
             icon=":material/error:")
    st.markdown("Each line names the file, the field, the problem and the fix. Correct them, then reload "
                "the page; `python -m iscm validate --data DIR` prints the same list.")
    st.table([{"file": p.file, "field": p.field, "problem": p.problem, "fix": p.fix} for p in err.problems])


HELD_ISCMS = "_iscm_filter"  # session state: the ISCM filter as the last page that draws it left it


def frame(title: str, *, owns_iscm_param: bool = False) -> PageContext:
    """Draw the shared frame and return the dataset and the active filters; stops the page on bad data.

    `owns_iscm_param`: the page reads `?iscm=` as its own subject (Profile), so the ISCM filter is not
    taken from the URL but kept as the other pages left it; leaving the page, they show what they showed."""
    st.set_page_config(page_title=f"{title} · ISCM Atlas", page_icon=FAVICON, layout="wide")
    page_style()
    try:
        full, store_messages = get_dataset()
    except DatasetError as err:
        st.title(title)
        show_data_error(err)
        st.stop()
    for msg in store_messages:
        st.warning(msg, icon=":material/warning:")
    nav = st.sidebar.container()
    find = st.sidebar.container()
    held = {"iscm": st.session_state.get(HELD_ISCMS, ())} if owns_iscm_param else None
    filters = filter_sidebar(full, held)
    if not owns_iscm_param:
        st.session_state[HELD_ISCMS] = filters.iscms
    _sidebar_links(nav, filters)
    find_box(full, key="find_sidebar", container=find)
    account_sidebar(nav)
    key = ViewKey(full.version, filters)
    return PageContext(full=full, ds=_filtered(key, full), filters=filters, key=key)


# Bounded: a view is a few row selections of the whole dataset; 256 cover every filter combination in use.
@view_cache(max_entries=256)
def _filtered(key: ViewKey, _full: Dataset) -> Dataset:
    """The filtered view, computed once per (dataset version, filters) and shared read-only by sessions."""
    return apply_filters(_full, key.filters)


def filter_notice(ctx: PageContext) -> None:
    """Say what the filters keep; stop the page with a hint when they keep no ISCM at all."""
    if ctx.filters.active:
        st.info(f"Filtered: {escape_markdown(ctx.filters.describe(ctx.full))}. Showing {len(ctx.ds.iscms)} of "
                f"{len(ctx.full.iscms)} ISCMs.", icon=":material/filter_alt:")
    if ctx.ds.iscms.empty:
        st.warning("No ISCM matches the filters. Clear or widen them in the sidebar.", icon=":material/search_off:")
        st.stop()
