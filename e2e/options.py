"""The option table: every run option once, rendered into the command line and (prefixed) into pytest.

Why one table: `airflow-e2e test`, `up`, `plan`, `components`, `scenario` and the pytest plugin used to
declare `--chart-version` (and the rest) each on their own, with defaults and checks that drifted. Here each
option has one name, one environment variable, one parser that validates it, and one RunConfig field; the
command line shows it as `--chart-version`, pytest as `--e2e-chart-version`, and `to_pytest_args` renders a
resolved RunConfig back into pytest's spelling so a command and the suites it runs agree by construction.
Values arrive as strings (argv, environment) and are parsed and checked in `parse_value`, once, with an
error naming the spelling the user typed.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from e2e import versions
from e2e.errors import UnusableInput

PYTEST_PREFIX = "--e2e-"


def _chart(text: str) -> str:
    if text not in versions.CHART_AIRFLOW:
        raise ValueError(f"unknown chart version {text}; known: {', '.join(versions.CHART_AIRFLOW)}")
    return text


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a number") from None
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{text} is not a positive number")
    return value


def _expanded(text: str) -> Path:
    try:
        return Path(text).expanduser()
    except RuntimeError:  # `~user/...` of a user without a home directory
        raise ValueError(f"{text}: no such user's home directory") from None


def _existing(what: str, test: Callable[[Path], bool], wrong: str) -> Callable[[str], Path]:
    def parse(text: str) -> Path:
        path = _expanded(text)
        if not path.exists():
            raise ValueError(f"{text}: no such {what}")
        if not test(path):
            raise ValueError(f"{text}: {wrong}")
        return path
    return parse


_directory = _existing("directory", Path.is_dir, "not a directory")
_file = _existing("file", Path.is_file, "not a regular file")


def _path(text: str) -> Path:
    if not text.strip():
        raise ValueError("an empty path")
    return _expanded(text)


def _nonempty(text: str) -> str:
    if not text.strip():
        raise ValueError("an empty value")
    return text.strip()


def _flag(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("", "0", "false", "no", "off"):
        return False
    if lowered in ("1", "true", "yes", "on"):
        return True
    raise ValueError(f"{text!r}: expected 1/0, true/false or yes/no")


def _kubernetes(text: str) -> str:
    if text not in versions.KIND_NODE_IMAGES:
        raise ValueError(f"unknown Kubernetes minor {text}; known: {', '.join(sorted(versions.KIND_NODE_IMAGES))}")
    return versions.node_image(text)


@dataclass(frozen=True)
class Option:
    field: str  # the RunConfig field it sets
    flag: str  # the command-line spelling; pytest's is PYTEST_PREFIX + flag[2:]
    help: str
    parse: Callable[[str], Any] = _nonempty
    choices: tuple[str, ...] | None = None
    env: str | None = None  # AIRFLOW_E2E_* variable read when the option is not given
    metavar: str | None = None
    boolean: bool = False  # a switch: `--flag` alone means true
    render: Callable[[Any], str] | None = None  # RunConfig value -> the string this option parses (default str)

    @property
    def pytest_flag(self) -> str:
        return PYTEST_PREFIX + self.flag[2:]

    @property
    def dest(self) -> str:
        return self.flag[2:].replace("-", "_")


def _render_node_image(image: str) -> str:
    minors = [m for m, img in versions.KIND_NODE_IMAGES.items() if img == image]
    return minors[0] if minors else image


OPTIONS: tuple[Option, ...] = (
    Option("gitops_dir", "--gitops-dir", "the GitOps repository (default: the bundled reference repository)",
           parse=_directory, metavar="DIR"),
    Option("dags_dir", "--dags-dir", "the DAG repository content git-sync serves (default: the bundled DAGs)",
           parse=_directory, metavar="DIR"),
    Option("chart_version", "--chart-version",
           f"Airflow chart version (default: the repository's targetRevision, else {versions.PINNED_CHART})",
           parse=_chart, env="AIRFLOW_E2E_CHART_VERSION", metavar="VERSION"),
    Option("upgrade_from", "--upgrade-from",
           "install this older chart version first, then upgrade to --chart-version", parse=_chart,
           metavar="VERSION"),
    Option("upgrade_to", "--upgrade-to",
           f"the chart-upgrade scenario's target chart version (default {versions.LATEST_CHART})", parse=_chart,
           metavar="VERSION"),
    Option("airflow_version", "--airflow-version",
           "Airflow version for the component tier (default: what the chart version ships)",
           env="AIRFLOW_E2E_AIRFLOW_VERSION", metavar="VERSION"),
    Option("payload_file", "--payload", "Vault payload YAML to use (default: a fresh one); its values are never "
           "printed", parse=_file, metavar="FILE"),
    Option("cluster", "--cluster", "create a kind cluster, or use an existing one from --kubeconfig",
           choices=("kind", "existing")),
    Option("kubeconfig", "--kubeconfig", "kubeconfig of the existing cluster (default $KUBECONFIG)",
           parse=_path, env="KUBECONFIG", metavar="FILE"),
    Option("context", "--context", "kubeconfig context (default: the current one)"),
    Option("keep_cluster", "--keep-cluster", "what to keep after the run (default on-failure)",
           choices=("always", "on-failure", "never")),
    Option("node_image", "--kubernetes", "Kubernetes minor of the kind node image (default: the pinned one)",
           parse=_kubernetes, choices=tuple(sorted(versions.KIND_NODE_IMAGES)), render=_render_node_image),
    Option("registry_mirror", "--registry-mirror", "pull images through this registry mirror (kind)",
           env="AIRFLOW_E2E_REGISTRY_MIRROR", metavar="URL"),
    Option("timeout_multiplier", "--timeout-multiplier", "scale every wait (slow machines; default 1.0)",
           parse=_positive, env="AIRFLOW_E2E_TIMEOUT_MULTIPLIER", metavar="X"),
    Option("artifacts_dir", "--artifacts", "where JUnit, reports and masked diagnostics go (default ./artifacts)",
           parse=_path, metavar="DIR"),
    Option("require_cluster", "--require-cluster",
           "fail, not skip, when no cluster can be had (nightly and `make e2e`: a run that skipped every cluster "
           "test must never look green)", parse=_flag, env="AIRFLOW_E2E_REQUIRE_CLUSTER", boolean=True,
           render=lambda value: "1" if value else "0"),
    Option("run_id", "--run-id", "the run id labelled on every object (default: a fresh one)", metavar="ID"),
)
BY_FIELD: dict[str, Option] = {o.field: o for o in OPTIONS}
# The options every command that runs a tier offers; `up`, `plan` and others take the subsets they need.
REPOSITORY = ("gitops_dir", "dags_dir", "chart_version")
IMAGES = ("node_image", "registry_mirror")
CLUSTER = ("cluster", "kubeconfig", "context", "keep_cluster")


def parse_value(option: Option, text: str, spelling: str) -> Any:
    """The option's value from its text, or UnusableInput naming how the user spelled it (a flag or a
    variable of the environment)."""
    where = f"environment {spelling}" if spelling == option.env else spelling
    if option.choices and option.parse is _nonempty and text not in option.choices:
        raise UnusableInput(f"{where}: {text!r} is not one of {', '.join(option.choices)}")
    try:
        return option.parse(text)
    except ValueError as exc:
        raise UnusableInput(f"{where}: {exc}") from None


def add_cli_options(parser: argparse.ArgumentParser, fields: Iterable[str],
                    helps: Mapping[str, str] | None = None,
                    aliases: Mapping[str, Iterable[str]] | None = None) -> None:
    """Add these options to a subcommand; their values stay strings until `resolve` parses them."""
    for name in fields:
        option = BY_FIELD[name]
        _add(parser.add_argument, option, [option.flag, *(aliases or {}).get(name, ())], option.dest,
             (helps or {}).get(name, option.help))


def _add(add: Callable[..., Any], option: Option, flags: list[str], dest: str, help_text: str) -> None:
    text = help_text + (f" (env {option.env})" if option.env else "")
    if option.boolean:
        add(*flags, dest=dest, action="store_const", const="1", default=None, help=text)
    else:
        add(*flags, dest=dest, default=None, choices=option.choices, metavar=option.metavar, help=text)


def cli_values(args: argparse.Namespace, fields: Iterable[str] | None = None) -> dict[str, str]:
    """The table's options given on this command line, by RunConfig field."""
    names = fields if fields is not None else BY_FIELD
    return {name: getattr(args, BY_FIELD[name].dest) for name in names
            if getattr(args, BY_FIELD[name].dest, None) is not None}


def add_pytest_options(group: Any) -> None:
    """The same options, prefixed, in pytest's option group (the plugin's only global footprint)."""
    for option in OPTIONS:
        _add(group.addoption, option, [option.pytest_flag], "e2e_" + option.dest, option.help)


def values_from_pytest(config: Any) -> dict[str, str]:
    values = {o.field: config.getoption("e2e_" + o.dest, default=None) for o in OPTIONS}
    return {name: str(value) for name, value in values.items() if value is not None}


def to_pytest_args(config: Any, fields: Iterable[str] | None = None) -> list[str]:
    """A resolved RunConfig as pytest's `--e2e-*` arguments (every field, so the suite resolves the same run)."""
    argv: list[str] = []
    for option in OPTIONS:
        value = getattr(config, option.field)
        if value is None or (fields is not None and option.field not in fields):
            continue
        if option.boolean:
            argv += [option.pytest_flag] if value else []
        else:
            argv += [option.pytest_flag, option.render(value) if option.render else str(value)]
    return argv
