"""Agreement with Sisimai on the shared bounce corpus, and throughput against Sisimai.

    .venv/bin/python bench/bounce_agreement.py [--out PREDICTIONS.jsonl] [--rounds N] [--show]

Diagnoses every file of ../shared/corpora/bounces/eml/ with the pure parse+classify step
(`alimail_mcp.diagnosis.classify.analyze`, no DNS), writes one prediction per file (the most
common reason among its recipients, ties to the first, as score.py counts the oracle), runs the
corpus's score.py and prints its report. Then it times both engines over the 629 bounce files
(the corpus README's command for Sisimai, when `perl -MSisimai` works) and prints files/s.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpora" / "bounces"
SISIMAI_LOOP = (
    'my @f = grep { !m{/not-} } glob "eml/*.eml"; my $t = time; '
    "Sisimai->make($_, delivered => 1) for @f; my $d = time - $t; "
    'printf "%d files in %.3f s = %.1f files/s\\n", scalar @f, $d, @f / $d'
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, help="where to write the predictions (default: a temporary file)")
    parser.add_argument(
        "--rounds", type=int, default=3, help="timing rounds for each engine (median is shown)"
    )
    parser.add_argument("--show", action="store_true", help="list every file where we disagree with Sisimai")
    args = parser.parse_args(argv)
    if not (CORPUS / "eml").is_dir():
        print(f"bounce corpus not found at {CORPUS} (expected ../shared/corpora/bounces next to the project)")
        return 1
    sys.path.insert(0, str(ROOT / "src"))
    from alimail_mcp.diagnosis.classify import analyze

    files = sorted((CORPUS / "eml").glob("*.eml"))
    started = time.perf_counter()
    analyze("warm-up: 550 5.1.1 user unknown")  # loads the knowledge tables once
    load_s = time.perf_counter() - started

    predictions: dict[str, str | None] = {}
    recipients: dict[str, int] = {}
    for path in files:
        analysis = analyze(path.read_bytes())
        reasons = Counter(item.fact.reason for item in analysis.items)
        predictions[path.name] = reasons.most_common(1)[0][0] if reasons else None
        recipients[path.name] = len(analysis.items)

    out = args.out or Path(tempfile.mkdtemp(prefix="bounce-agreement-")) / "predictions.jsonl"
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as f:
        for name, reason in predictions.items():
            f.write(json.dumps({"file": name, "reason": reason}) + "\n")
    print(f"predictions: {out}\n")
    score = subprocess.run(
        [sys.executable, str(CORPUS / "score.py"), str(out)], capture_output=True, text=True, check=False
    )
    print("against Sisimai 4.25.15 (sisimai-oracle.jsonl):")
    print(score.stdout.rstrip())
    if score.returncode:
        print(score.stderr, file=sys.stderr)
    five = subprocess.run(
        [sys.executable, str(CORPUS / "score.py"), str(out), str(CORPUS / "sisimai5-oracle.jsonl")],
        capture_output=True,
        text=True,
        check=False,
    )
    print("\nagainst Sisimai 5.2.0 (sisimai5-oracle.jsonl):")
    print(five.stdout.rstrip())
    _print_agreed(predictions)

    oracle = _oracle()
    unparsed = sorted(n for n, rows in oracle.items() if not rows[0]["parsed"] and not n.startswith("not-"))
    parsed_by_us = [n for n in unparsed if predictions.get(n)]
    print(
        f"\nfiles Sisimai 4.25 could not parse (DragonFly, Mimecast): {len(unparsed)};"
        f" we parse {len(parsed_by_us)}"
    )
    for name in unparsed:
        print(f"  {name}: {predictions.get(name)}")
    not_bounces = sorted(n for n in oracle if n.startswith("not-"))
    print("non-bounces: " + ", ".join(f"{n} -> {predictions.get(n) or 'not a bounce'}" for n in not_bounces))
    if args.show:
        _show_disagreements(oracle, predictions)

    bounce_files = [p for p in files if not p.name.startswith("not-")]
    ours = [_time_ours(analyze, bounce_files) for _ in range(max(1, args.rounds))]
    print(f"\nthroughput over {len(bounce_files)} bounce files, {args.rounds} round(s), median:")
    print(
        f"  alimail-mcp: {statistics.median(ours):.0f} files/s"
        f"  (tables loaded once before timing: {load_s * 1000:.0f} ms)"
    )
    sisimai = [_time_sisimai() for _ in range(max(1, args.rounds))]
    measured = [s for s in sisimai if s is not None]
    if measured:
        print(
            f"  Sisimai {_sisimai_version()}: {statistics.median(measured):.0f} files/s"
            "  (the corpus README's command)"
        )
    else:
        print("  Sisimai: not measured (perl -MSisimai is not available)")
    return 0


def _print_agreed(predictions: dict[str, str | None]) -> None:
    """Agreement on the files where Sisimai 4.25.15 and 5.2.0 give the same reason."""
    old, new = _expected("sisimai-oracle.jsonl"), _expected("sisimai5-oracle.jsonl")
    both = {name: reason for name, reason in new.items() if reason and old.get(name) == reason}
    missed = sorted(name for name, reason in both.items() if predictions.get(name) != reason)
    agree = len(both) - len(missed)
    print(f"\nwhere both Sisimai versions agree: {agree}/{len(both)} = {100 * agree / len(both):.1f}%")
    for name in missed:
        print(f"  {name}: {both[name]} -> {predictions.get(name)}")


def _expected(oracle: str) -> dict[str, str | None]:
    aliases = {"ratelimited": "speeding", "emailtoolarge": "mesgtoobig"}
    return {
        name: Counter(aliases.get(str(r["reason"]), r["reason"]) for r in rows).most_common(1)[0][0]  # type: ignore[misc]
        for name, rows in _oracle(oracle).items()
    }


def _oracle(oracle: str = "sisimai-oracle.jsonl") -> dict[str, list[dict[str, object]]]:
    rows: dict[str, list[dict[str, object]]] = {}
    with (CORPUS / oracle).open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                row = json.loads(line)
                rows.setdefault(str(row["file"]), []).append(row)
    return rows


def _show_disagreements(
    oracle: dict[str, list[dict[str, object]]], predictions: dict[str, str | None]
) -> None:
    print("\ndisagreements (file: Sisimai -> ours):")
    for name, rows in sorted(oracle.items()):
        if not rows[0]["parsed"]:
            continue
        expected = Counter(str(r["reason"]) for r in rows).most_common(1)[0][0]
        if predictions.get(name) != expected:
            print(f"  {name}: {expected} -> {predictions.get(name)}")


def _time_ours(analyze: object, files: list[Path]) -> float:
    started = time.perf_counter()
    for path in files:
        analyze(path.read_bytes())  # type: ignore[operator]
    return len(files) / (time.perf_counter() - started)


def _time_sisimai() -> float | None:
    try:
        run = subprocess.run(
            ["perl", "-MSisimai", "-MTime::HiRes=time", "-e", SISIMAI_LOOP],
            cwd=CORPUS,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if run.returncode != 0 or "files/s" not in run.stdout:
        return None
    return float(run.stdout.rsplit("=", 1)[1].split()[0])


def _sisimai_version() -> str:
    try:
        run = subprocess.run(
            ["perl", "-MSisimai", "-e", "print $Sisimai::VERSION"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return run.stdout.strip()


if __name__ == "__main__":
    raise SystemExit(main())
