"""Routing accuracy of route_query on a labelled question set, per language, with the misses.

Default set: ../shared/corpora/routing/dev.jsonl (relative to the project root). Another set in the
same JSON Lines format can be given with --file (e.g. tests/data/routing_extra.jsonl).
A prediction is right when its intent/path equals the label or is listed in `also`; for `none`
rows the right answer is to refuse (matched=false).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEV_SET = ROOT / ".." / "shared" / "corpora" / "routing" / "dev.jsonl"
AIM = 0.90


def load_rows(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def is_right(row: dict[str, Any], matched: bool, intent: str | None, path: str | None) -> bool:
    if row["intent"] == "none":
        return not matched
    got = f"{intent}/{path}"
    return matched and (got == f"{row['intent']}/{row['path']}" or got in row.get("also", []))


def evaluate(rows: list[dict[str, Any]]) -> int:
    from alimail_mcp.router.route import ranking, route

    routed: dict[str, list[bool]] = defaultdict(list)
    refused: dict[str, list[bool]] = defaultdict(list)
    misses = []
    t0 = time.perf_counter()
    for row in rows:
        result = route(row["query"])
        right = is_right(row, result.matched, result.intent, result.path)
        (refused if row["intent"] == "none" else routed)[row["lang"]].append(right)
        if not right:
            got = f"{result.intent}/{result.path}" if result.matched else "refused"
            top = ", ".join(f"{i}/{p} {s:.1f}" for i, p, s in ranking(row["query"])[:3])
            misses.append(
                f"  {row['id']} [{row['lang']}] want {row['intent']}/{row['path']} got {got} "
                f"({result.confidence:.2f}): {row['query'][:90]}\n      scores: {top}"
            )
    elapsed = (time.perf_counter() - t0) * 1000
    ok = True
    print(f"{len(rows)} questions routed in {elapsed:.1f} ms (index build included)")
    for lang in sorted(set(routed) | set(refused)):
        hits = routed[lang]
        share = sum(hits) / len(hits) if hits else 1.0
        ok &= share >= AIM
        print(f"  path accuracy [{lang}]: {sum(hits)}/{len(hits)} = {share:.1%}")
    all_refusals = [r for lang in refused for r in refused[lang]]
    if all_refusals:
        share = sum(all_refusals) / len(all_refusals)
        ok &= share >= AIM
        print(f"  off-topic refused: {sum(all_refusals)}/{len(all_refusals)} = {share:.1%}")
    print(f"misses ({len(misses)}):" if misses else "no misses")
    print("\n".join(misses))
    verdict = "met" if ok else "NOT met"
    print(f"aim: >= {AIM:.0%} path accuracy per language and >= {AIM:.0%} refusals: {verdict}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--file", type=Path, default=DEV_SET, help="JSON Lines question set (default: the dev set)"
    )
    args = parser.parse_args()
    path: Path = args.file
    if not path.is_file():
        print(
            f"question set not found: {path.resolve()}\n"
            "the dev set lives in ../shared/corpora/routing/dev.jsonl beside the project",
            file=sys.stderr,
        )
        return 2
    print(f"set: {path.resolve()}")
    return evaluate(load_rows(path))


if __name__ == "__main__":
    sys.exit(main())
