"""Load and validate the default dataset: the work every cold start and every content change pays.

The loader keeps parsed YAML as JSON keyed by file content, so the timed load is the usual one (validation
and table building run every time); the load that parses the YAML itself is reported beside it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from benchmarks.common import measure, profile_text, timed_row

ROOT = Path(__file__).resolve().parents[1]
TARGET_MS = 100.0


def run(runs: int = 5) -> list[dict[str, Any]]:
    from iscm.dataset import content_hash, load

    data = ROOT / "data"
    previous = os.environ.get("ISCM_PARSE_CACHE")
    samples = measure(lambda: load(data), runs=runs)
    ds = load(data)
    load_row = timed_row("dataset: load + validate (data/)", samples, target=TARGET_MS,
                         note=f"{len(ds.iscms)} ISCMs, {len(ds.memberships)} memberships")
    if not load_row["ok"]:
        from pyinstrument import Profiler

        prof = Profiler(interval=0.0005, async_mode="disabled")
        with prof:
            for _ in range(3):
                load(data)
        load_row["profile"] = profile_text(prof)
    # The first load after an edit parses the YAML itself (the parse cache is keyed by file content).
    os.environ["ISCM_PARSE_CACHE"] = "0"
    try:
        cold = measure(lambda: load(data), runs=runs)
    finally:
        if previous is None:
            os.environ.pop("ISCM_PARSE_CACHE", None)
        else:
            os.environ["ISCM_PARSE_CACHE"] = previous
    cold_row = timed_row("dataset: load + validate, YAML parsed", cold,
                         note="ISCM_PARSE_CACHE=0: the first load after an edit")
    # The content hash runs on every page load (it is the cache key), so it is worth seeing on its own.
    hash_row = timed_row("dataset: content hash (cache key)", measure(lambda: content_hash(data), runs=runs),
                         note="runs on every rerun")
    return [load_row, cold_row, hash_row]
