"""polars-python peer of benches/compare/funnel_retention.rs.

The same funnel and retention as the DuckDB peer in polars' lazy API: the funnel chains
`join_asof(strategy="forward", by="user_id")` from each step-1 event to the earliest next-step
event at or after the previous step, keeps it while it is within 14 days of the step-1 event,
and takes each person's best entry; retention self-joins the distinct (person, ISO week) pairs
of `session_started`.
"""

import json
import sys
import time
from datetime import timedelta

import polars as pl

STEPS = ["signed_up", "project_created", "teammate_invited", "subscription_started"]
WEEKS = 8
WINDOW = timedelta(days=14)


def funnel(path: str) -> list:
    events = (
        pl.scan_parquet(path)
        .select("user_id", pl.col("timestamp").alias("ts"), "event")
        .filter(pl.col("event").is_in(STEPS))
        .sort("ts")
        .collect()
    )
    step = lambda name: events.filter(pl.col("event") == name).select("user_id", "ts")
    chain = step(STEPS[0]).rename({"ts": "t1"}).with_columns(pl.col("t1").alias("prev"))
    for i, name in enumerate(STEPS[1:], start=2):
        nxt = step(name).rename({"ts": f"t{i}"}).with_columns(pl.col(f"t{i}").alias("key"))
        chain = (
            chain.sort("prev")
            .join_asof(nxt, left_on="prev", right_on="key", by="user_id", strategy="forward",
                       check_sortedness=False)
            .with_columns(
                pl.when(pl.col(f"t{i}") <= pl.col("t1") + WINDOW).then(pl.col(f"t{i}")).alias(f"t{i}")
            )
            .with_columns(pl.col(f"t{i}").alias("prev"))
            .drop("key")
        )
    depth = chain.group_by("user_id").agg(
        (1 + sum(pl.col(f"t{i}").is_not_null().cast(pl.Int32) for i in range(2, 5))).max().alias("d")
    )
    return [int((depth["d"] >= i).sum()) for i in range(1, 5)]


def retention(path: str) -> dict:
    active = (
        pl.scan_parquet(path)
        .filter(pl.col("event") == "session_started")
        .select("user_id", pl.col("timestamp").dt.truncate("1w").alias("w"))
        .unique()
    )
    cells = (
        active.join(active.rename({"w": "r"}), on="user_id")
        .filter((pl.col("r") >= pl.col("w")) & (pl.col("r") < pl.col("w") + timedelta(days=7 * WEEKS)))
        .group_by("w", ((pl.col("r") - pl.col("w")).dt.total_days() // 7).alias("k"))
        .len()
        .collect()
    )
    return {f"{w:%Y-%m-%d}|{k}": n for w, k, n in cells.iter_rows()}


def main() -> None:
    path = sys.argv[1]
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    best, result = float("inf"), None
    for _ in range(max(repeats, 1)):
        started = time.perf_counter()
        result = (funnel(path), retention(path))
        best = min(best, time.perf_counter() - started)
    counts, cells = result
    print(json.dumps({
        "impl": f"polars-python {pl.__version__}",
        "seconds": best,
        "funnel": counts,
        "retention": dict(sorted(cells.items())),
    }))


if __name__ == "__main__":
    main()
