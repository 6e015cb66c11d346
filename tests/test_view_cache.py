"""The cache of per-filter views (components.frame.view_cache) keyed on ViewKey(version, filters)."""

from __future__ import annotations

import logging

from components.frame import ViewKey, view_cache
from iscm.filters import Filters


def test_a_view_is_computed_once_per_version_and_filters():
    logging.getLogger("streamlit").setLevel(logging.ERROR)  # bare mode: no runtime, same caches
    made: list[ViewKey] = []

    @view_cache(max_entries=16)
    def view(key: ViewKey, control: str, _ds: object) -> int:
        made.append(key)
        return len(made)

    key = ViewKey("v1", Filters(types=("RCP",)))
    assert view(key, "a", None) == view(ViewKey("v1", Filters(types=("RCP",))), "a", None) == 1
    # the same value in another filter, another data version, another control: each its own entry
    others = [ViewKey("v1", Filters(iscms=("RCP",))), ViewKey("v1", Filters(regions=("RCP",))),
              ViewKey("v2", Filters(types=("RCP",))), ViewKey("v1", Filters())]
    assert [view(k, "a", None) for k in others] == [2, 3, 4, 5]
    assert view(key, "b", None) == 6
    assert view(key, "a", None) == 1 and len(made) == 6
