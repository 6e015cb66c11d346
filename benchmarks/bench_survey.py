"""Benchmark: parse + extract the seed survey entry and a 25-entry document built from it (target < 0.5 s).

Run: `.venv/bin/python benchmarks/bench_survey.py [--repeat N]`. Prints one line per case: the first
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

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "seeds" / "000_440a72a62019b42f.txt"
TARGET_S = 0.5
HEADING = "Name of the Inter-state consultation mechanism (ISCM): "


def many_entries(seed: str, names: list[str], n: int = 25) -> str:
    """The seed's preamble, then its entry n times, each under another ISCM's name (as a real summary)."""
    head, entry = seed.split(HEADING, 1)
    entry_body = entry.split("\n", 1)[1]
    return head + "".join(f"{HEADING}{names[i % len(names)]} \n{entry_body}" for i in range(n))


def bench(repeat: int = 5) -> dict[str, dict[str, float]]:
    sys.path.insert(0, str(ROOT))
    from iscm.dataset import load
    from iscm.extract import parse_document

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
