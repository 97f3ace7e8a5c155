"""Peer of benches/compare/survey_bucketing.rs: the same job in polars-python.

Reads the `answered_at` column of a survey Parquet file, truncates every timestamp to its
month and ISO week, and counts responses per period. Prints one JSON object in the same shape
as the Rust side: the best wall time over the repeats (interpreter start-up and imports
excluded) and the counts, labelled as prodops labels periods (2026-11, 2026-W48).
"""

import json
import sys
import time

import polars as pl


def run(path: str) -> tuple[dict, dict]:
    df = pl.read_parquet(path, columns=["answered_at"])
    ts = pl.col("answered_at")
    months = (
        df.group_by(ts.dt.truncate("1mo").alias("p")).len()
    )
    weeks = (
        df.group_by(ts.dt.truncate("1w").alias("p")).len()
    )
    month_counts = {p.strftime("%Y-%m"): n for p, n in months.iter_rows()}
    week_counts = {p.strftime("%G-W%V"): n for p, n in weeks.iter_rows()}
    return month_counts, week_counts


def main() -> None:
    path = sys.argv[1]
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    best = float("inf")
    result = None
    for _ in range(max(repeats, 1)):
        started = time.perf_counter()
        result = run(path)
        best = min(best, time.perf_counter() - started)
    months, weeks = result
    print(json.dumps({
        "impl": f"polars-python {pl.__version__}",
        "seconds": best,
        "months": dict(sorted(months.items())),
        "weeks": dict(sorted(weeks.items())),
    }))


if __name__ == "__main__":
    main()
