"""Every chart of every page, as the chart panel registers it for the Download menu and "Download all".

Runs each page in AppTest (no browser needed) and reads the page's chart registry: the figures users see
and export, with the title, filters and sources their export carries. Shared by the export test (which
renders them) and the palette test (which reads their categories).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from iscm.export import ChartItem
from tests.conftest import APP

NARROW = "prague-process,budapest-process,khartoum-process"
# (label, page, query): every page that draws charts, opened where each of its charts shows
PAGES = [
    ("overview-timeline", "pages/overview.py", {"section": "Timeline"}),
    # pages with tabs draw only the open tab: each tab is a view of its own
    *((f"themes-{t.split()[0].lower()}", "pages/themes.py", {"section": t})
      for t in ("Coverage", "Prevalence", "Theme view", "Evolution", "Similar ISCMs")),
    *((f"gcm-{t.split()[0].lower()}", "pages/gcm.py", {"section": t})
      for t in ("Coverage", "Gaps by region", "One objective")),
    *((f"membership-{t.split()[0].lower()}", "pages/membership.py", {"section": t})
      for t in ("ISCM map", "Dialogue density", "Overlap", "Two ISCMs")),
    *((f"country-{t.split()[0].lower()}", "pages/country.py", {"iso3": "DEU", "section": t})
      for t in ("ISCMs and fellow members", "Themes", "GCM objectives")),
    ("network", "pages/network.py", {}),
    ("network-prague", "pages/network.py", {"node": "iscm:prague-process"}),
    ("network-states", "pages/network.py", {}),  # with the States toggle on (see page_charts)
    *((f"profile-{t.lower()}", "pages/profile.py", {"iscm": "prague-process", "section": t})
      for t in ("Members", "Themes", "Organizations")),
    *((f"compare-{t.lower()}", "pages/compare.py", {"compare": "prague-process,budapest-process", "section": t})
      for t in ("Participation", "Map", "Themes")),
]
TABBED = ("overview", "themes", "gcm", "membership", "profile", "compare", "country")
PAGE_NAMES = sorted({label.split("-")[0] if label.split("-")[0] in TABBED else label for label, _, _ in PAGES})
"""The pages the charts are collected under (a tabbed page's views count as that page)."""
FILTERS = {"all": {}, "narrow": {"iscm": NARROW}}
"""The widest filter (all ISCMs) and a narrow one (three ISCMs)."""


@dataclass
class PageChart:
    filt: str
    page: str
    key: str
    item: ChartItem

    @property
    def name(self) -> str:
        return f"{self.filt}/{self.page}/{self.key}"


@contextmanager
def _empty_store(home: Path) -> Iterator[None]:
    before = os.environ.get("ISCM_ATLAS_HOME")
    os.environ["ISCM_ATLAS_HOME"] = str(home)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("ISCM_ATLAS_HOME", None)
        else:
            os.environ["ISCM_ATLAS_HOME"] = before


def _charts_of(label: str, page: str, query: dict) -> dict[str, ChartItem]:
    from streamlit.testing.v1 import AppTest

    from components.chart_panel import REGISTRY_KEY

    at = AppTest.from_file(APP, default_timeout=120)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    at.switch_page(page).run()
    if label == "network-states":
        at.toggle(key="net_states").set_value(True).run()
    assert not at.exception, (label, [e.value for e in at.exception])
    return dict(at.session_state[REGISTRY_KEY][1])


def page_charts(home: Path, filters: dict[str, dict] = FILTERS) -> list[PageChart]:
    """Every chart of every page under each filter, with an empty survey store in `home`."""
    out: list[PageChart] = []
    with _empty_store(home):
        for filt_name, filt in filters.items():
            for label, page, query in PAGES:
                q = {**filt, **query}
                if label.startswith("profile") and filt:
                    q = {**filt, "section": query["section"]}  # the profile shows the first ISCM of the filter
                tabbed = label.split("-")[0] if label.split("-")[0] in TABBED else label
                for key, item in _charts_of(label, page, q).items():
                    out.append(PageChart(filt_name, tabbed, key, item))
    return out
