"""``python -m veritee``: the same as the ``veritee`` command."""

from veritee.cli.main import main

main()
