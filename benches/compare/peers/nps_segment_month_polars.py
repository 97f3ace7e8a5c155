"""polars-python peer of benches/compare/nps_segment_month.rs.

The same job as the DuckDB peer in polars' lazy API: scan the survey Parquet file, count
responses per segment and calendar month by promoter / passive / detractor, and compute the
NPS with its adjusted-Wald 95% interval (Rocks 2016), clipped to [-100, 100].
"""

import json
import sys
import time

import polars as pl

Z = 1.959963984540054  # Φ⁻¹(0.975)


def run(path: str) -> dict:
    score = pl.col("score")
    counts = (
        pl.scan_parquet(path)
        .group_by("segment", pl.col("answered_at").dt.truncate("1mo").alias("month"))
        .agg(
            pl.len().alias("n"),
            (score >= 9).sum().alias("p"),
            score.is_between(7, 8).sum().alias("a"),
            (score <= 6).sum().alias("d"),
        )
    )
    n3 = pl.col("n") + 3
    c = (pl.col("p") + 0.75) / n3 - (pl.col("d") + 0.75) / n3
    s = (pl.col("p") + 0.75) / n3 + (pl.col("d") + 0.75) / n3
    half = Z * ((s - c * c) / n3).sqrt()
    df = counts.with_columns(
        (100.0 * (pl.col("p") - pl.col("d")) / pl.col("n")).alias("nps"),
        (100.0 * (c - half).clip(-1.0, 1.0)).alias("lo"),
        (100.0 * (c + half).clip(-1.0, 1.0)).alias("hi"),
    ).collect()
    return {
        f"{seg}|{month:%Y-%m}": [n, p, a, d, f"{nps:.6f}", f"{lo:.6f}", f"{hi:.6f}"]
        for seg, month, n, p, a, d, nps, lo, hi in df.select(
            "segment", "month", "n", "p", "a", "d", "nps", "lo", "hi"
        ).iter_rows()
    }


def main() -> None:
    path = sys.argv[1]
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    best, result = float("inf"), None
    for _ in range(max(repeats, 1)):
        started = time.perf_counter()
        result = run(path)
        best = min(best, time.perf_counter() - started)
    print(json.dumps({
        "impl": f"polars-python {pl.__version__}",
        "seconds": best,
        "nps": dict(sorted(result.items())),
    }))


if __name__ == "__main__":
    main()
