"""The embedded demonstration behind ``veritee demo``: the whole network in one process."""

from veritee.demo.story import DemoReport, run_demo

__all__ = ["DemoReport", "run_demo"]
