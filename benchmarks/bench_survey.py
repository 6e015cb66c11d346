"""Benchmark: parse + extract the seed survey entry and a 25-entry document built from it (target < 0.5 s).

Run: `.venv/bin/python benchmarks/bench_survey.py [--repeat N]`, or as part of `python -m benchmarks`
(which calls `run()`). Prints one line per case: the first
(cold) call, which also builds the matchers from the dataset and compiles their regexes, then the best and
median wall time of N warm calls and their median CPU time (the CPU time is what to compare on a busy
machine). The verdict uses the best warm wall time; the exit code is 1 when a case misses the target.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
SEED = ROOT.parent / "shared" / "seeds" / "000_440a72a62019b42f.txt"
TARGET_S = 0.5
HEADING = "Name of the Inter-state consultation mechanism (ISCM): "


def many_entries(seed: str, names: list[str], n: int = 25) -> str:
    """The seed's preamble, then its entry n times, each under another ISCM's name (as a real summary)."""
    head, entry = seed.split(HEADING, 1)
    entry_body = entry.split("\n", 1)[1]
    return head + "".join(f"{HEADING}{names[i % len(names)]} \n{entry_body}" for i in range(n))


def bench(repeat: int = 5) -> dict[str, dict[str, float]]:
    from iscm.dataset import load
    from iscm.survey.extract import parse_document

    if not SEED.is_file():
        raise SystemExit(f"seed survey not found at {SEED}")
    ds = load(ROOT / "data")
    seed = SEED.read_text(encoding="utf-8")
    cases = {
        "seed (1 entry)": seed.encode("utf-8"),
        "25 entries": many_entries(seed, list(ds.iscms["short_name"])).encode("utf-8"),
    }
    out: dict[str, dict[str, float]] = {}
    for label, data in cases.items():
        t = time.perf_counter()
        result = parse_document(f"{label}.txt", data, ds)
        cold = time.perf_counter() - t
        warm, cpu = [], []
        for _ in range(repeat):
            t, c = time.perf_counter(), time.process_time()
            parse_document(f"{label}.txt", data, ds)
            warm.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
        out[label] = {"entries": len(result.entries), "bytes": len(data), "cold_s": cold, "best_s": min(warm),
                      "median_s": statistics.median(warm), "cpu_s": statistics.median(cpu)}
    return out


def run(runs: int = 5, profile: bool = True) -> list[dict[str, Any]]:
    """Rows for `python -m benchmarks`: parse + extract of the seed and of a 25-entry document (target 500 ms)."""
    from benchmarks.common import measure, profile_text, skipped_row, timed_row
    from iscm.dataset import load
    from iscm.survey.extract import parse_document

    if not SEED.is_file():
        return [skipped_row("survey: parse + extract", f"seed not found at {SEED}")]
    ds = load(ROOT / "data")
    seed = SEED.read_text(encoding="utf-8").encode("utf-8")
    doc25 = many_entries(seed.decode("utf-8"), list(ds.iscms["short_name"])).encode("utf-8")
    rows = []
    for label, data in (("seed, 1 entry", seed), ("25 entries", doc25)):
        n = len(parse_document("bench.txt", data, ds).entries)
        r = timed_row(f"survey: parse + extract, {label}", measure(lambda d=data: parse_document("b.txt", d, ds),
                                                                   runs=runs),
                      target=TARGET_S * 1000, note=f"{n} entries, {len(data) / 1024:.0f} KB")
        if profile and r["ok"] is False:
            try:
                from pyinstrument import Profiler
            except ImportError:  # pragma: no cover - profiling is a nicety
                pass
            else:
                prof = Profiler(interval=0.0005, async_mode="disabled")
                with prof:
                    for _ in range(3):
                        parse_document("b.txt", data, ds)
                r["profile"] = profile_text(prof)
        rows.append(r)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    results = bench(args.repeat)
    ok = True
    for label, r in results.items():
        verdict = "OK" if r["best_s"] < TARGET_S else "SLOW"
        ok &= verdict == "OK"
        print(f"{label:15s} {r['entries']:3.0f} entries {r['bytes'] / 1024:7.1f} KB  cold {r['cold_s']:.3f} s  "
              f"warm best {r['best_s']:.3f} s  median {r['median_s']:.3f} s  cpu {r['cpu_s']:.3f} s  "
              f"(target < {TARGET_S} s) {verdict}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
