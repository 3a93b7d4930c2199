"""`python main.py` does exactly what the `ketamon` command does."""

from ketamon.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
