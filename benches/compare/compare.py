"""Checks that the Rust side and each peer agree, then prints their times and the ratios.

Usage: compare.py NAME FILE RUST_JSON PEER_JSON [PEER_JSON ...]
"""

import json
import os
import sys


def main() -> None:
    name, path, rust_raw, *peer_raws = sys.argv[1:]
    rust = json.loads(rust_raw)
    peers = [json.loads(raw) for raw in peer_raws]
    results = sorted(set(rust) - {"impl", "seconds"})
    failed = False
    for peer in peers:
        mismatched = [k for k in results if rust.get(k) != peer.get(k)]
        if mismatched:
            print(f"{name}: {peer['impl']} differs in {mismatched}; no ratio reported", file=sys.stderr)
            failed = True
    if failed:
        sys.exit(1)
    size_mb = os.path.getsize(path) / 1e6
    print(f"comparison: {name} on {os.path.basename(path)} ({size_mb:.1f} MB); results agree ({', '.join(results)})")
    for side in (rust, *peers):
        print(f"  {side['impl']:<28} best {side['seconds'] * 1e3:9.1f} ms")
    for peer in peers:
        ratio = peer["seconds"] / rust["seconds"]
        verdict = "prodops faster" if ratio > 1 else "peer faster"
        print(f"  ratio {peer['impl']} / prodops: {ratio:.2f}x ({verdict})")


if __name__ == "__main__":
    main()
