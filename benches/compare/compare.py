"""Checks that the Rust side and its peer agree, then prints their times and the ratio."""

import json
import os
import sys


def main() -> None:
    name, path, rust_raw, peer_raw = sys.argv[1:5]
    rust, peer = json.loads(rust_raw), json.loads(peer_raw)
    results = sorted(set(rust) - {"impl", "seconds"})
    mismatched = [k for k in results if rust.get(k) != peer.get(k)]
    if mismatched:
        print(f"{name}: results differ in {mismatched}; no ratio reported", file=sys.stderr)
        sys.exit(1)
    size_mb = os.path.getsize(path) / 1e6
    print(f"comparison: {name} on {os.path.basename(path)} ({size_mb:.1f} MB); results agree ({', '.join(results)})")
    for side in (rust, peer):
        print(f"  {side['impl']:<28} best {side['seconds'] * 1e3:9.1f} ms")
    ratio = peer["seconds"] / rust["seconds"]
    print(f"  ratio peer / prodops: {ratio:.2f}x ({'prodops faster' if ratio > 1 else 'peer faster'})")


if __name__ == "__main__":
    main()
