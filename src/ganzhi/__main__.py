"""`python -m ganzhi`: the same command line as the `ganzhi` script (works without the script installed)."""

from ganzhi.cli import main

if __name__ == "__main__":
    main()
