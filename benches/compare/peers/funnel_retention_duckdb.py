"""DuckDB peer of benches/compare/funnel_retention.rs.

Two SQL queries over the event Parquet file:

- the 4-step onboarding funnel signed_up → project_created → teammate_invited →
  subscription_started, ordered, 14-day window counted from the step-1 event, every step-1
  event a possible entry (PostHog's semantics): for each entry, the earliest next-step event at
  or after the previous step (an ASOF join) while it is within the window; a person's depth is
  the best over entries; the result is persons reaching at least each step;
- weekly recurring retention of `session_started` (ISO weeks): cohort c = persons active in
  week c, cell (c, k) = those of them active again in week c + k, for k = 0..7.

Prints one JSON object in the shape of the Rust side: the best wall time over the repeats
(start-up excluded), the funnel counts, and the retention cells keyed "YYYY-MM-DD|k" by the
Monday of the cohort week.
"""

import json
import sys
import time

import duckdb

STEPS = ["signed_up", "project_created", "teammate_invited", "subscription_started"]
WEEKS = 8

FUNNEL = """
WITH e AS (
    SELECT user_id, "timestamp" AS ts, event FROM read_parquet($path)
    WHERE event IN ('signed_up', 'project_created', 'teammate_invited', 'subscription_started')
),
s1 AS (SELECT user_id, ts AS t1 FROM e WHERE event = 'signed_up'),
s2 AS (SELECT user_id, ts FROM e WHERE event = 'project_created'),
s3 AS (SELECT user_id, ts FROM e WHERE event = 'teammate_invited'),
s4 AS (SELECT user_id, ts FROM e WHERE event = 'subscription_started'),
a2 AS (
    SELECT s1.user_id, t1, CASE WHEN s2.ts <= t1 + INTERVAL 14 DAY THEN s2.ts END AS t2
    FROM s1 ASOF LEFT JOIN s2 ON s1.user_id = s2.user_id AND s2.ts >= s1.t1
),
a3 AS (
    SELECT a2.*, CASE WHEN s3.ts <= t1 + INTERVAL 14 DAY THEN s3.ts END AS t3
    FROM a2 ASOF LEFT JOIN s3 ON a2.user_id = s3.user_id AND s3.ts >= a2.t2
),
a4 AS (
    SELECT a3.*, CASE WHEN s4.ts <= t1 + INTERVAL 14 DAY THEN s4.ts END AS t4
    FROM a3 ASOF LEFT JOIN s4 ON a3.user_id = s4.user_id AND s4.ts >= a3.t3
),
depth AS (
    SELECT user_id,
           max(1 + (t2 IS NOT NULL)::INT + (t3 IS NOT NULL)::INT + (t4 IS NOT NULL)::INT) AS d
    FROM a4 GROUP BY user_id
)
SELECT count(*) FILTER (WHERE d >= 1), count(*) FILTER (WHERE d >= 2),
       count(*) FILTER (WHERE d >= 3), count(*) FILTER (WHERE d >= 4)
FROM depth
"""

RETENTION = f"""
WITH active AS (
    SELECT DISTINCT user_id, date_trunc('week', "timestamp") AS w
    FROM read_parquet($path) WHERE event = 'session_started'
)
SELECT strftime(c.w, '%Y-%m-%d') AS cohort, date_diff('day', c.w, r.w) // 7 AS k, count(*) AS n
FROM active c JOIN active r
  ON c.user_id = r.user_id AND r.w >= c.w AND r.w < c.w + INTERVAL {WEEKS * 7} DAY
GROUP BY ALL
"""


def run(con, path: str) -> tuple[list, dict]:
    funnel = list(con.execute(FUNNEL, {"path": path}).fetchone())
    cells = {f"{c}|{k}": n for c, k, n in con.execute(RETENTION, {"path": path}).fetchall()}
    return funnel, cells


def main() -> None:
    path = sys.argv[1]
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    con = duckdb.connect()
    best, result = float("inf"), None
    for _ in range(max(repeats, 1)):
        started = time.perf_counter()
        result = run(con, path)
        best = min(best, time.perf_counter() - started)
    funnel, cells = result
    print(json.dumps({
        "impl": f"duckdb {duckdb.__version__}",
        "seconds": best,
        "funnel": funnel,
        "retention": dict(sorted(cells.items())),
    }))


if __name__ == "__main__":
    main()
