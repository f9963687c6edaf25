"""Reproducible benchmarks: each module runs with `python -m benchmarks.<name>`, prints a table with the figure
and the baseline measured in the same run, and writes a JSON result under `benchmarks/results/`."""
