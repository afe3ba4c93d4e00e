"""Run the fuzz tests (tests/fuzz/test_fuzz_*.py) longer than CI does and print how many inputs each
engine entry point was given, with the outcome and the time taken.

    python bench/fuzz.py                      # 5000 examples per property
    python bench/fuzz.py --examples 20000     # more
    python bench/fuzz.py -k spf               # only the properties whose names match

CI runs the same properties with the `ci` hypothesis profile (100 examples each); this script selects
the `long` profile (tests/support/fuzzing.py). A failure prints hypothesis's falsifying example and a
reproduction blob, and the script exits with pytest's status.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--examples", type=int, default=5000, help="examples per property (default 5000)")
    parser.add_argument("-k", dest="keyword", help="pytest -k expression to select properties")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        env = {
            **os.environ,
            "HYPOTHESIS_PROFILE": "long",
            "HYPOTHESIS_MAX_EXAMPLES": str(args.examples),
            "ALIMAIL_FUZZ_COUNTS": folder,  # one tally per test process (xdist worker), added up below
        }
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--no-header"]
        command += sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tests" / "fuzz").glob("test_fuzz_*.py"))
        if args.keyword:
            command += ["-k", args.keyword]
        print(f"fuzzing with up to {args.examples} examples per property ...", flush=True)
        started = time.monotonic()
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
        elapsed = time.monotonic() - started
        counts: Counter[str] = Counter()
        for tally in Path(folder).glob("tally-*.json"):
            counts.update(json.loads(tally.read_text(encoding="utf-8")))

    if done.returncode != 0:
        print(done.stdout[-8000:], done.stderr[-2000:], sep="\n")
    width = max((len(t) for t in counts), default=10)
    print(f"\n{'target':<{width}}  inputs tried")
    for target, count in sorted(counts.items()):
        print(f"{target:<{width}}  {count:>12,}")
    print(f"{'total':<{width}}  {sum(counts.values()):>12,}")
    summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "(no pytest output)"
    print(f"\n{summary}; {elapsed:.1f} s wall")
    return done.returncode


if __name__ == "__main__":
    raise SystemExit(main())
