"""``python -m veritee.worker --config FILE [--json]`` runs one worker."""

from veritee.cli.worker import main

if __name__ == "__main__":
    main()
