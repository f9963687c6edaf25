"""One module per evidence domain; each defines `DOMAIN` (its name in case.yaml) and `load(case_dir, inputs)`."""
