"""Run the benchmarks: ``python -m bench [name ...] [--quick]`` (``make bench`` runs all;
``--help`` lists them)."""

from __future__ import annotations

import importlib
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    known = sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))
    if "-h" in argv or "--help" in argv:
        print(__doc__)
        print(f"benchmarks: {', '.join(known)} (each module's docstring says what it measures)")
        return 0
    # Flags (``--quick``) are read by the benchmarks themselves from sys.argv.
    argv = [name for name in argv if not name.startswith("--")]
    unknown = [name for name in argv if name not in known]
    if unknown:
        print(f"no such benchmark: {', '.join(unknown)} (choose from {', '.join(known)})")
        return 2
    names = argv or known
    results_dir = HERE / "results"
    results_dir.mkdir(exist_ok=True)
    for name in names:
        module = importlib.import_module(f"bench.bench_{name}")
        print(f"\n=== bench {name} ===", flush=True)
        started = time.perf_counter()
        figures = module.main()
        figures["wall_seconds"] = round(time.perf_counter() - started, 2)
        (results_dir / f"{name}.json").write_text(json.dumps(figures, indent=2) + "\n")
        print(f"--- {name}: saved to bench/results/{name}.json", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
