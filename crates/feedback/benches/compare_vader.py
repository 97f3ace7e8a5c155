"""Python side of the VADER comparison (see compare_vader.rs): the same N texts, scored with
vaderSentiment 3.3.2 in one process; prints wall seconds and the sum of compound scores."""

import json
import sys
import time
from pathlib import Path

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

DIR = Path(__file__).resolve().parent.parent / "data" / "icwsm2014"
FILES = ["tweets_GroundTruth.txt", "movieReviewSnippets_GroundTruth.txt",
         "amazonReviewSnippets_GroundTruth.txt", "nytEditorialSnippets_GroundTruth.txt"]


def corpus(n):
    base = []
    for f in FILES:
        for line in (DIR / f).read_bytes().decode("utf-8").split("\n"):
            line = line.rstrip("\r")
            parts = line.split("\t", 2)
            if len(parts) == 3:
                base.append(parts[2])
    return [base[i % len(base)] for i in range(n)]


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    texts = corpus(n)
    analyzer = SentimentIntensityAnalyzer()
    start = time.perf_counter()
    total = sum(analyzer.polarity_scores(t)["compound"] for t in texts)
    secs = time.perf_counter() - start
    print(json.dumps({"impl": "vaderSentiment 3.3.2", "texts": n, "seconds": round(secs, 3),
                      "texts_per_second": round(n / secs), "compound_sum": round(total, 4)}))


if __name__ == "__main__":
    main()
