"""DuckDB peer of benches/compare/nps_segment_month.rs.

One SQL query over the survey Parquet file: responses per segment and calendar month, the
promoter / passive / detractor counts, the NPS, and its adjusted-Wald 95% interval (Rocks 2016:
n + 3 respondents, P + 3/4, D + 3/4, clipped to [-100, 100]). Prints one JSON object in the
shape of the Rust side: the best wall time over the repeats (start-up excluded) and the rows,
keyed "segment|YYYY-MM", values formatted to 6 decimals.
"""

import json
import sys
import time

import duckdb

Z = 1.959963984540054  # Φ⁻¹(0.975)

QUERY = f"""
WITH counts AS (
    SELECT segment,
           strftime(date_trunc('month', answered_at), '%Y-%m') AS month,
           count(*) AS n,
           count(*) FILTER (WHERE score >= 9) AS p,
           count(*) FILTER (WHERE score BETWEEN 7 AND 8) AS a,
           count(*) FILTER (WHERE score <= 6) AS d
    FROM read_parquet($path)
    GROUP BY ALL
), adjusted AS (
    SELECT *, (p + 0.75) / (n + 3) - (d + 0.75) / (n + 3) AS c,
              (p + 0.75) / (n + 3) + (d + 0.75) / (n + 3) AS s
    FROM counts
)
SELECT segment, month, n, p, a, d,
       100.0 * (p - d) / n AS nps,
       100.0 * greatest(-1.0, c - {Z} * sqrt((s - c * c) / (n + 3))) AS lo,
       100.0 * least(1.0, c + {Z} * sqrt((s - c * c) / (n + 3))) AS hi
FROM adjusted
"""


def run(con, path: str) -> dict:
    rows = con.execute(QUERY, {"path": path}).fetchall()
    return {
        f"{seg}|{month}": [n, p, a, d, f"{nps:.6f}", f"{lo:.6f}", f"{hi:.6f}"]
        for seg, month, n, p, a, d, nps, lo, hi in rows
    }


def main() -> None:
    path = sys.argv[1]
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    con = duckdb.connect()
    best, result = float("inf"), None
    for _ in range(max(repeats, 1)):
        started = time.perf_counter()
        result = run(con, path)
        best = min(best, time.perf_counter() - started)
    print(json.dumps({
        "impl": f"duckdb {duckdb.__version__}",
        "seconds": best,
        "nps": dict(sorted(result.items())),
    }))


if __name__ == "__main__":
    main()
