"""The fernet key Secret: one name for every tier, one "unchanged" judgement for the check and the scenarios.

The name is read from the repository (no reference name here), on the reference and on the team variant,
also when the values name it with a number (`fernetKeySecretName: 2024`: the chart's `default` prints it, so
the Secret is "2024"). The judgement is on plain-data Secret dicts; the one deliberate difference is that a
scenario waiting for the recovery tolerates the Secret being absent for a while.
"""

from __future__ import annotations

import base64
import functools
import re
import shutil
from pathlib import Path

import pytest

from e2e.checks import secrets
from e2e.checks.expect import Expectations
from e2e.gitops.loader import load_repository
from e2e.install import airflow_install
from e2e.observe.snapshot import Snapshot
from e2e.scenarios import invariants as inv
from e2e.scenarios.layout import Layout
from e2e.scenarios.model import Memory

pytestmark = pytest.mark.unit

NAMED = re.compile(r"^(\s*fernetKeySecretName:).*$", re.M)


@pytest.fixture
def copied(root, tmp_path) -> Path:
    """A copy of each bundled repository (the test edits it)."""
    copy = tmp_path / root.name
    shutil.copytree(root, copy)
    return copy


def fernet_named(root: Path, value: str | None) -> None:
    """Set (or, with None, delete) fernetKeySecretName in whichever values file names it."""
    [path] = [p for p in root.rglob("*.yaml") if NAMED.search(p.read_text())]
    path.write_text(NAMED.sub("" if value is None else rf"\g<1> {value}", path.read_text()))


def expectations(repo) -> Expectations:
    return Expectations.from_repository(repo, airflow_install(repo).airflow_version)


def checked_name(exp: Expectations) -> str:
    """The Secret the health check judges (its verdict names it)."""
    secret = {"metadata": {"name": "x", "uid": "u"}, "data": {}}
    name = secrets.fernet_key_unchanged(Snapshot(), Snapshot.from_lists(secret_objects=[secret]), exp).name
    return re.search(r"\((.+?)\)", name).group(1)


@pytest.mark.parametrize("value", ["as the repository says", "2024", None])
def test_every_tier_names_the_same_fernet_secret(copied, value):
    if value != "as the repository says":
        fernet_named(copied, value)
    repo = load_repository(copied)
    install = airflow_install(repo)
    name = Layout.from_repository(repo).fernet_secret
    assert checked_name(expectations(repo)) == name
    assert name == {"2024": "2024", None: install.chart_generated_name("fernetKeySecretName")}.get(value, name)


def secret(name: str, uid: str = "uid-1", **data: str) -> dict:
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name, "uid": uid},
            "data": {k: base64.b64encode(v.encode()).decode() for k, v in data.items()}}


def judged_both_ways(exp: Expectations, name: str, before: dict | None, after: dict | None) -> tuple[bool, str, str]:
    """(the check's ok, the scenario's state while waiting, the scenario's state at the end)."""
    then = Snapshot.from_lists(secret_objects=[before] if before else [])
    now = Snapshot.from_lists(secret_objects=[after] if after else [])
    checked = secrets.fernet_key_unchanged(then, now, exp)
    states = [inv.fernet_key_unchanged(name, when).evaluate(now, Memory(before=then)).state
              for when in ("throughout", "end")]
    return checked.ok, *states


def test_the_check_and_the_scenarios_judge_the_fernet_key_alike(repo):
    exp = expectations(repo)
    name = checked_name(exp)
    judged = functools.partial(judged_both_ways, exp, name)
    key = "fernet-key"
    kept = secret(name, **{key: "k1", "other": "a"})
    assert judged(kept, secret(name, **{key: "k1", "other": "a"})) == (True, "ok", "ok")
    # another key of the same Secret is not the fernet key: both let it change
    assert judged(kept, secret(name, **{key: "k1", "other": "b"})) == (True, "ok", "ok")
    # re-created with the same key: reported, still readable
    assert judged(kept, secret(name, uid="uid-2", **{key: "k1"})) == (True, "ok", "ok")
    assert judged(kept, secret(name, **{key: "k2"})) == (False, "failed", "failed")
    # the deliberate difference: absent is tolerated only while a scenario waits
    assert judged(kept, None) == (False, "ok", "failed")
    assert judged(None, kept) == (False, "failed", "failed")
