"""Demo data made by code (fictional subjects with known ground truth) and the `make run` demo."""
