"""The one writer of a chart's targetRevision (e2e.stack.pushed.set_chart_version), which the bring-up pin and the
upgrade pull request both use, on the reference and on a team's own repository: the Airflow install's chart
source(s) move to the new version, every other line of the file stays as written. Names come from the
repository's AirflowInstall, none are written here."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from e2e.gitops.loader import load_repository
from e2e.install import airflow_install
from e2e.scenarios.transforms import SetChartVersion
from e2e.stack import pushed

pytestmark = pytest.mark.unit

NEW = "9.8.7"


def _install_file(root: Path):
    inst = airflow_install(load_repository(root))
    rel = inst.app.obj.origin.file
    return inst, rel, (root / rel).read_text(encoding="utf-8")


def _sources(text: str, app: str) -> list[dict]:
    doc = next(d for d in yaml.safe_load_all(text) if d and d.get("kind") == "Application"
               and d["metadata"]["name"] == app)
    return doc["spec"].get("sources") or [doc["spec"]["source"]]


def test_the_install_chart_source_moves_and_nothing_else_changes(root):
    inst, _rel, before = _install_file(root)
    after = pushed.set_chart_version(before, inst.app.name, NEW)
    old, new = _sources(before, inst.app.name), _sources(after, inst.app.name)
    assert [s["targetRevision"] for s in new] == [NEW if s.get("chart") else s["targetRevision"] for s in old]
    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True) if a != b]
    assert changed and all("targetRevision" in a and NEW in b for a, b in changed)


def test_an_application_without_a_chart_source_is_not_edited(root):
    inst = airflow_install(load_repository(root))
    app = inst.secrets_app
    assert app is not None
    text = (root / app.obj.origin.file).read_text(encoding="utf-8")
    assert pushed.set_chart_version(text, app.name, NEW) is None
    assert pushed.set_chart_version(text, inst.app.name + "-absent", NEW) is None


def test_the_bring_up_pin_and_the_upgrade_pr_write_the_same_source(root):
    """Both callers go through the one function: same chart sources after each (the pin adds a header line)."""
    inst, rel, before = _install_file(root)
    pinned = pushed.with_chart_version(inst.repo, {rel: before}, inst.source.chart or "", NEW)[rel]
    upgraded = SetChartVersion(rel, inst.app.name, NEW).apply(before)
    assert _sources(pinned, inst.app.name) == _sources(upgraded, inst.app.name)
    assert pinned.startswith("# airflow-e2e: chart ") and pinned.endswith(upgraded)
    assert pushed.with_chart_version(inst.repo, {rel: pinned}, inst.source.chart or "", NEW)[rel] == pinned
