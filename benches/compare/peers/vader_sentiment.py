"""Peer of benches/compare/vader_sentiment.rs: vaderSentiment 3.3.2's polarity_scores on every
line of the same text file, in one process. Prints the same JSON keys: the number of texts,
the sum of compound scores (4 decimals) and a CRC-32 of every text's four scores as integers
(neg, neu and pos in thousandths, compound in ten-thousandths, one line per text).

Usage: vader_sentiment.py TEXTS.txt [REPEATS]
"""

import json
import sys
import time
import zlib

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer


def main() -> None:
    path = sys.argv[1]
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    with open(path, "rb") as f:
        raw = f.read().decode("utf-8")
    if raw.endswith("\n"):
        raw = raw[:-1]
    # Split on "\n" only, as the Rust side does (str.splitlines would also split on \x1c..\x1e).
    texts = raw.split("\n")
    analyzer = SentimentIntensityAnalyzer()
    best = float("inf")
    scores = []
    for _ in range(max(repeats, 1)):
        started = time.perf_counter()
        scores = [analyzer.polarity_scores(t) for t in texts]
        best = min(best, time.perf_counter() - started)
    compound_sum = 0.0
    crc = 0
    for s in scores:
        compound_sum += s["compound"]
        line = f"{round(s['neg'] * 1e3)} {round(s['neu'] * 1e3)} {round(s['pos'] * 1e3)} {round(s['compound'] * 1e4)}\n"
        crc = zlib.crc32(line.encode(), crc)
    print(json.dumps({"impl": "vaderSentiment 3.3.2", "seconds": round(best, 4), "texts": len(texts),
                      "compound_sum": round(compound_sum, 4), "scores_crc32": f"{crc:08x}"}))


if __name__ == "__main__":
    main()
