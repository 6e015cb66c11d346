"""Tables of the Overview page: when the ISCMs were established."""

from __future__ import annotations

import pandas as pd

from iscm.model import ISCM_TYPE_LABELS


def establishment_data(iscms: pd.DataFrame) -> pd.DataFrame:
    """ISCMs by year established and type, cumulated: the data behind the timeline chart.

    Columns: year, type, established (new that year), cumulative, new_iscms (their short names, ", "-joined).
    """
    known = iscms.dropna(subset=["established"])
    if known.empty:
        return pd.DataFrame(columns=["year", "type", "established", "cumulative", "new_iscms"])
    years = range(int(known["established"].min()), int(known["established"].max()) + 1)
    rows = []
    for t in ISCM_TYPE_LABELS:
        of_type = known[known["type"] == t]
        per_year = of_type.groupby("established").size()
        names = of_type.groupby("established")["short_name"].agg(", ".join)
        total = 0
        for y in years:
            n = int(per_year.get(y, 0))
            total += n
            rows.append({"year": y, "type": t, "established": n, "cumulative": total,
                         "new_iscms": names.get(y, "")})
    return pd.DataFrame(rows)
