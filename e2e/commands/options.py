"""Options several commands share, taken from the one option table (e2e/options.py), and the RunConfig they
resolve to: a command never declares `--chart-version` (or any run option) on its own."""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from typing import Any

from e2e import options as table
from e2e.config import RunConfig


def add_repository_options(parser: argparse.ArgumentParser) -> None:
    """Which repositories to push, and which chart version to run them with."""
    table.add_cli_options(parser, table.REPOSITORY)


def add_image_options(parser: argparse.ArgumentParser) -> None:
    """Which kind node image, and where images are pulled from."""
    table.add_cli_options(parser, table.IMAGES)


def add(parser: argparse.ArgumentParser, fields: Iterable[str], **helps: str) -> None:
    table.add_cli_options(parser, fields, helps)


def run_config(args: argparse.Namespace, **overrides: Any) -> RunConfig:
    """The run these arguments ask for: the table's options parsed and checked, with RunConfig's precedence."""
    return RunConfig.resolve(table.cli_values(args), **overrides)
