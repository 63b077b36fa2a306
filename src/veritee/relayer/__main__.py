"""``python -m veritee.relayer run --config FILE``."""

from veritee.relayer.cli import main

main()
