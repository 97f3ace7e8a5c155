"""Peer of benches/compare/experiment_readout.rs: the same readout with pandas and gbstats.

Reads the experiment Parquet file (one row per unit) with pandas (pyarrow), reduces it to
per-variant sums with one pandas group-by, and computes the readout with gbstats 0.8.0
(`TwoSidedTTest` on `SampleMeanStatistic` for `metric`, `ProportionStatistic` for `converted`,
`RatioStatistic` for clicks / sessions, `RegressionAdjustedStatistic` with `compute_theta`
for CUPED of `metric` on `pre_metric`), `scipy.stats.chisquare` for the SRM check and
statsmodels' `multipletests(method="holm")`. Prints one JSON object in the same shape as the
Rust side: the best wall time over the repeats (interpreter start-up and imports excluded) and
the results, rounded as the Rust side rounds them (9 significant digits; p-values to 9 decimal
places, because gbstats computes them as 1 - cdf).
"""

import json
import sys
import time

import gbstats
import pandas as pd
from gbstats.frequentist.tests import FrequentistConfig, TwoSidedTTest
from gbstats.models.statistics import (
    ProportionStatistic,
    RatioStatistic,
    RegressionAdjustedStatistic,
    SampleMeanStatistic,
    compute_theta,
)
from scipy.stats import chisquare
from statsmodels.stats.multitest import multipletests

COLUMNS = ["variant", "pre_metric", "metric", "converted", "sessions", "clicks"]
CONFIG = FrequentistConfig(difference_type="absolute")


def sig9(x: float) -> float:
    return float(f"{x:.9g}")


def dp9(p: float) -> float:
    return float(f"{p:.9f}")


def sums(path: str) -> pd.DataFrame:
    df = pd.read_parquet(path, columns=COLUMNS)
    metric = df["metric"]
    pre = df["pre_metric"]
    clicks = df["clicks"].astype("float64")
    sessions = df["sessions"].astype("float64")
    frame = pd.DataFrame({
        "variant": df["variant"],
        "metric": metric,
        "metric_sq": metric * metric,
        "pre": pre,
        "pre_sq": pre * pre,
        "metric_pre": metric * pre,
        "converted": df["converted"].astype("int64"),
        "clicks": clicks,
        "clicks_sq": clicks * clicks,
        "sessions": sessions,
        "sessions_sq": sessions * sessions,
        "clicks_sessions": clicks * sessions,
    })
    grouped = frame.groupby("variant")
    out = grouped.sum()
    out["n"] = grouped.size()
    return out


def test(a, b) -> tuple[dict, float]:
    t = TwoSidedTTest(a, b, CONFIG)
    r = t.compute_result()
    return {
        "estimate": sig9(r.expected),
        "std_error": sig9(r.uplift.stddev),
        "df": sig9(t.dof),
        "p_value": dp9(r.p_value),
    }, r.p_value


def readout(path: str) -> dict:
    s = sums(path)
    stats = {}
    for variant, row in s.iterrows():
        n = int(row["n"])
        metric = SampleMeanStatistic(n=n, sum=row["metric"], sum_squares=row["metric_sq"])
        pre = SampleMeanStatistic(n=n, sum=row["pre"], sum_squares=row["pre_sq"])
        stats[variant] = {
            "n": n,
            "metric": metric,
            "converted": ProportionStatistic(n=n, sum=row["converted"]),
            "ctr": RatioStatistic(
                n=n,
                m_statistic=SampleMeanStatistic(
                    n=n, sum=row["clicks"], sum_squares=row["clicks_sq"]
                ),
                d_statistic=SampleMeanStatistic(
                    n=n, sum=row["sessions"], sum_squares=row["sessions_sq"]
                ),
                m_d_sum_of_products=row["clicks_sessions"],
            ),
            "cuped": RegressionAdjustedStatistic(
                n=n,
                post_statistic=metric,
                pre_statistic=pre,
                post_pre_sum_of_products=row["metric_pre"],
                theta=0,
            ),
        }
    c, t = stats["control"], stats["treatment"]
    result = {"units": {v: stats[v]["n"] for v in sorted(stats)}}
    raw = []
    for key in ("metric", "converted", "ctr"):
        result[key], p = test(c[key], t[key])
        raw.append(p)
    theta = compute_theta(c["cuped"], t["cuped"])
    c["cuped"].theta = theta
    t["cuped"].theta = theta
    cuped, p = test(c["cuped"], t["cuped"])
    raw.append(p)
    result["metric_cuped"] = {"theta": sig9(theta), **cuped}
    result["srm_p_value"] = dp9(chisquare([c["n"], t["n"]]).pvalue)
    result["holm"] = [dp9(p) for p in multipletests(raw, method="holm")[1]]
    return result


def main() -> None:
    path = sys.argv[1]
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    best = float("inf")
    result = None
    for _ in range(max(repeats, 1)):
        started = time.perf_counter()
        result = readout(path)
        best = min(best, time.perf_counter() - started)
    print(json.dumps({
        "impl": f"pandas {pd.__version__} + gbstats {gbstats.__version__}",
        "seconds": best,
        **result,
    }))


if __name__ == "__main__":
    main()
