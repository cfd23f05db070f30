"""Benchmarks: `make bench` runs every ``bench/bench_*.py`` (or the named ones).

Each module has ``main() -> dict`` that prints its figures and returns them;
figures are reported as ratios to a baseline measured in the same run,
because these machines are noisy. Results are saved to bench/results/.
"""
