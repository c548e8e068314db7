"""The `airflow-e2e` command line: one subcommand per module in `e2e/commands/`.

Why a table: each command lives in its own module with one reason to change (`add_arguments`, `run`), and
this file only dispatches and turns expected errors into one clear line with the contract's exit codes.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from e2e import __version__
from e2e.errors import EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_OK, EXIT_UNUSABLE, UnusableInput

# command -> one-line help. The module e2e.commands.<command> provides add_arguments(parser) and run(args).
COMMANDS: dict[str, str] = {
    "test": "run the harness's suites on a GitOps repository: --tier preflight|components|cluster|all",
    "preflight": "static checks of a GitOps repository (milliseconds, no cluster)",
    "payload": "write a fresh, valid Vault payload (mode 0600, never printed)",
    "components": "the component tier: real PostgreSQL, Redis, sshd+git and the Airflow CLI on loopback",
    "plan": "render every manifest and command the cluster tier would run, offline",
    "up": "bring the whole stack up on kind or an existing cluster",
    "down": "tear down what `up` created (only objects labelled with its run id)",
    "status": "show the state of a running stack",
    "collect": "collect masked diagnostics from a running stack",
    "report": "render the HTML report from a recorded timeline",
    "scenario": "reproduce one reported failure and watch it recover",
    "reproduce": "recreate a failed run from its reproduction bundle",
    "sweep": "remove kept clusters and namespaces whose expiry label has passed",
}


class OneLineParser(argparse.ArgumentParser):
    """Usage mistakes are one line on stderr and exit 2, like every other bad input (`--help` has the rest)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_UNUSABLE, f"{self.prog}: error: {one_line(message)} (see `{self.prog} --help`)\n")


def chosen_command(argv: Sequence[str]) -> str | None:
    """The subcommand argv names (the first word that is not an option), or None."""
    return next((a for a in argv if not a.startswith("-")), None)


def build_parser(only: str | None = None, *, lazy: bool = False) -> argparse.ArgumentParser:
    """The parser; with `lazy`, only the `only` command's module is imported (the others get their help line).

    Why: a command's start-up time is the imports it pays for, and `preflight` must start like a linter, not
    pull in the cluster and component tiers it never uses.
    """
    parser = OneLineParser(
        prog="airflow-e2e",
        description="End-to-end harness for Airflow on Kubernetes via Argo CD, Vault, ESO and git-sync.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for command, help_text in COMMANDS.items():
        if lazy and command != only:
            sub.add_parser(command, help=help_text, description=help_text)
            continue
        try:
            module = importlib.import_module(f"e2e.commands.{command}")
        except ModuleNotFoundError as exc:
            if exc.name != f"e2e.commands.{command}":
                raise
            continue
        command_parser = sub.add_parser(command, help=help_text, description=help_text)
        module.add_arguments(command_parser)
        command_parser.set_defaults(_run=module.run, _parser=command_parser)
    return parser


def one_line(message: str) -> str:
    """A message about untrusted input may quote it (a key named "a\\rb"): control characters are shown
    escaped, so the error stays the one line the contract promises."""
    return "".join(c if c.isprintable() or c == " " else f"\\x{ord(c):02x}" for c in message)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(chosen_command(argv), lazy=True)
    args, extra = parser.parse_known_args(argv)
    if extra:  # the command's parser says it, so the hint names `airflow-e2e COMMAND --help`
        args._parser.error(f"unrecognized arguments: {' '.join(extra)}")
    try:
        return int(args._run(args) or 0)
    except UnusableInput as exc:
        print(f"airflow-e2e {args.command}: error: {one_line(str(exc))}", file=sys.stderr)
        return EXIT_UNUSABLE
    except BrokenPipeError:
        # The reader went away (`| head`): nothing more to say; keep Python from complaining at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except OSError as exc:
        # A path the user gave that cannot be read or written: their input, so exit 2 with one line.
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"airflow-e2e {args.command}: error: {where}{exc.strerror or type(exc).__name__}", file=sys.stderr)
        return EXIT_UNUSABLE
    except KeyboardInterrupt:
        print(f"airflow-e2e {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:
        if os.environ.get("AIRFLOW_E2E_DEBUG"):
            raise
        print(f"airflow-e2e {args.command}: internal error: {type(exc).__name__} "
              "(rerun with AIRFLOW_E2E_DEBUG=1 for the traceback)", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
