"""``python -m veritee.gatekeeper --config FILE [--json]`` runs one gatekeeper."""

from veritee.cli.gatekeeper import main

if __name__ == "__main__":
    main()
