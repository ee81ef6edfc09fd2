"""``python -m app``: the ``descent`` command line (app/cli.py)."""

from app.cli import main

main()
