"""CLV of members whose first purchase is over a year back: `report_math.clv_many` (the whole
array at once) against `clv_from_summary` member by member, which both monthly reports used
before. The report benchmarks' stores hold one year of history, so they hardly meet this path;
a chain three years old meets it for most of its members.

Draws --members first purchases spread over 13 months to 3 years before a month end
(Europe/Istanbul) and nets up to 30,000 TL, times `clv_many` over all of them (median of
--runs) and the exact loop over --sample of them (scaled up), checks that both agree on the
sample, and prints the ratio.

    python benchmarks/clv.py [--members 900000] [--sample 50000] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from loyalty_desktop.domain.clock import from_micros, micros_of  # noqa: E402
from loyalty_desktop.domain.report_math import clv_from_summary, clv_many  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=900_000)
    parser.add_argument("--sample", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    now = datetime(2026, 6, 30, 23, 59, 59, 999_999, tzinfo=ZoneInfo("Europe/Istanbul"))
    rng = random.Random(11)
    day = 86_400_000_000
    firsts = np.array([micros_of(now) - rng.randrange(400 * day, 1095 * day)
                       for _ in range(args.members)], dtype=np.int64)
    nets = np.array([rng.randrange(0, 3_000_000) for _ in range(args.members)], dtype=np.int64)
    times = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        values = clv_many(nets, firsts, now, 3)
        times.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    exact = [clv_from_summary(int(n), from_micros(int(f)), now, 3)
             for n, f in zip(nets[:args.sample], firsts[:args.sample])]
    loop = (time.perf_counter() - t0) * args.members / args.sample
    if values[:args.sample].tolist() != exact:
        print("clv_many and clv_from_summary disagree", file=sys.stderr)
        return 1
    vector = statistics.median(times)
    print(f"load average {os.getloadavg()[0]:.1f}; {args.members:,} members over a year: "
          f"clv_many {vector:.3f} s (median of {args.runs}), member by member "
          f"{loop:.1f} s (timed on {args.sample:,}, scaled), {loop / vector:.0f}x; equal on the "
          "sample")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
