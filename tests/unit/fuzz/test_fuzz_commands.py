"""Every command's inputs, fuzzed (issue 16 "Must show"): hostile repositories, timelines, bundles, payload
targets, run state, options, AIRFLOW_E2E_* variables and what kind/kubectl answer. Commands that would start
servers or a cluster (components, test, up, scenario live) run up to that point and no further. Each run is
in-process under a deadline; the verdict is the same for all: exit 0, 1 or 2,
never 3 (an internal error), never an exception, never a hang.

`make test` runs a few dozen to a few hundred examples per command (fixed examples: derandomized); each test has a
`_long` twin marked `fuzz_long` (registered in conftest.py, deselected unless asked for) with LONG times as many
random examples: `pytest -m fuzz_long tests/unit/fuzz` runs thousands. Counts per command and mode go to
artifacts/fuzz-counts.json for the report.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import os
import shutil
import signal
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from e2e import payload as payload_mod
from e2e import tiers, versions
from e2e.ci import bundle as bundle_mod
from e2e.cli import main
from e2e.config import (
    CREATED_BY,
    CREATED_BY_LABEL,
    DEFAULT_GITOPS_DIR,
    EXPIRES_LABEL,
    REPO_ROOT,
    RUN_ID_LABEL,
    RunConfig,
)

pytestmark = pytest.mark.unit
LONG = 20  # the fuzz_long twin runs this many times the examples
MODE = {"now": "short", "command": ""}  # set per test by the autouse fixture `mode`: counts are kept per mode
DEADLINE_S = 60
COUNTS: Counter[str] = Counter()
TIMELINE = json.loads((REPO_ROOT / "fixtures" / "timelines" / "secrets-late.json").read_text())
BUNDLE = json.loads(json.dumps(bundle_mod.build_bundle(
    RunConfig(run_id="e2e-2612020151-abcd"),
    [{"nodeid": "e2e/suites/cluster/test_secrets.py::test_each_secret_is_byte_equal_to_the_vault_payload"}])))
REPO_FILES = sorted(p.relative_to(DEFAULT_GITOPS_DIR).as_posix() for p in DEFAULT_GITOPS_DIR.rglob("*.yaml"))


BIG = "__BIGINT__"  # replaced by a 5,000-digit integer in the written file (Python cannot repr one by default)
DIGITS = "9" * 5000


def _big(text: str) -> str:
    return text.replace(f'"{BIG}"', DIGITS).replace(f"'{BIG}'", DIGITS).replace(BIG, DIGITS)


class Hang(BaseException):  # not an Exception: the harness must not turn it into an exit code
    pass


def _alarm(signum, frame):
    raise Hang(f"no answer within {DEADLINE_S} s")


@contextlib.contextmanager
def _scratch_cwd():
    """A fresh working directory two levels down: a relative path drawn (`--artifacts 0`, `../../etc`) lands
    inside it."""
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "a" / "b").mkdir(parents=True)
        with contextlib.chdir(Path(tmp) / "a" / "b"):
            yield


def run(command: str, argv: list[str]) -> int:
    """main(argv) under a deadline; the output is swallowed; an escaped exception or exit 3 fails the example."""
    MODE["command"] = command
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(DEADLINE_S)
    out, err = io.StringIO(), io.StringIO()
    try:
        with _scratch_cwd(), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(argv)
            except SystemExit as exc:  # argparse refusing an option: exit 2
                code = exc.code if isinstance(exc.code, int) else 2
    except Hang:
        COUNTS[f"{command} {MODE['now']} hang"] += 1
        raise
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    COUNTS[f"{command} {MODE['now']} runs"] += 1
    COUNTS[f"{command} {MODE['now']} exit {code}"] += 1
    assert "Traceback" not in err.getvalue() + out.getvalue(), err.getvalue()[-2000:]
    assert code in (0, 1, 2), f"exit {code}: {err.getvalue()[-500:]}"
    if code == 2:
        assert len(err.getvalue().strip().splitlines()) == 1, err.getvalue()[-500:]
    return code


@pytest.fixture(scope="module", autouse=True)
def counts_report():
    yield
    path = REPO_ROOT / "artifacts" / "fuzz-counts.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    old = json.loads(path.read_text()) if path.is_file() else {}
    old.update(COUNTS)
    path.write_text(json.dumps(dict(sorted(old.items())), indent=1) + "\n")


# --- hostile values ---------------------------------------------------------------------------------------------

_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10**30), max_value=10**30),
    st.just(BIG), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30), st.sampled_from(["", "-", "--force", "../../etc/passwd", "/dev/zero", "1e400", "NaN",
                                           "<script>alert(1)</script>", "'; rm -rf /", "{{ .x }", "ssh://[::1",
                                           "x" * 5000, "\x00", "a: [b", "*alias", "${HOME}", "@@@"]))
hostile = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=3)
                       | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out += _paths(value, (*prefix, index))
    return out


def _set(node: Any, path: tuple, value: Any) -> Any:
    if not path:
        return value
    node[path[0]] = _set(node[path[0]], path[1:], value)
    return node


@st.composite
def mutated(draw, document: Any) -> Any:
    """The document with one node replaced by a hostile value (or the whole document)."""
    doc = copy.deepcopy(document)
    paths = _paths(doc)
    path = paths[draw(st.integers(min_value=0, max_value=len(paths) - 1))]
    return _set(doc, path, draw(hostile))


def _dump(data: Any) -> str:
    try:
        return _big(yaml.safe_dump_all(data if isinstance(data, list) and data and isinstance(data[0], dict)
                                       else [data]))
    except (yaml.YAMLError, ValueError, OverflowError):
        return "broken: [yaml\n"


@st.composite
def hostile_repository(draw) -> tuple[str, str]:
    """(relative file, new text): one file of the reference repository changed the way a user might."""
    rel = draw(st.sampled_from(REPO_FILES))
    docs = list(yaml.safe_load_all((DEFAULT_GITOPS_DIR / rel).read_text()))
    kind = draw(st.sampled_from(["node", "node", "node", "text", "extra-document", "alias-bomb"]))
    if kind == "node":
        target = draw(st.integers(min_value=0, max_value=len(docs) - 1))
        docs[target] = draw(mutated(docs[target]))
        return rel, _dump(docs)
    if kind == "extra-document":
        return rel, _dump(docs) + "---\n" + _dump(draw(hostile))
    if kind == "alias-bomb":
        levels = "".join(f"l{i + 1}: &l{i + 1} [" + ",".join([f"*l{i}"] * 9) + "]\n" for i in range(9))
        return rel, "l0: &l0 [x, x, x, x, x, x, x, x, x]\n" + levels
    return rel, draw(st.text(max_size=200))


def _run_on_copy(change: tuple[str, str] | None, argv: list[str], scratch: dict[str, str] | None = None) -> int:
    """Copy the reference repository to a fresh folder, apply `change` (a file of it, its new text), write the
    `scratch` files beside it, run argv with `{repo}` and `{tmp}` filled in, remove the folder."""
    root = Path(tempfile.mkdtemp(prefix="fuzz-repo-"))
    try:
        shutil.copytree(DEFAULT_GITOPS_DIR, root / "repo")
        if change is not None:
            (root / "repo" / change[0]).write_text(change[1])
        for rel, text in (scratch or {}).items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text)
        return run(argv[0], [a.replace("{repo}", str(root / "repo")).replace("{tmp}", str(root)) for a in argv])
    finally:
        shutil.rmtree(root, ignore_errors=True)


def fuzz(n: int, *strategies: Any, **named: Any):
    """@given with n derandomized examples (make test), plus a `<name>_long` twin marked fuzz_long with
    n * LONG random ones."""
    def decorate(body):
        common = {"deadline": None, "database": None, "suppress_health_check": list(HealthCheck)}
        twin = settings(max_examples=n * LONG, derandomize=False, **common)(given(*strategies, **named)(body))
        globals()[body.__name__ + "_long"] = pytest.mark.fuzz_long(twin)
        return settings(max_examples=n, derandomize=True, **common)(given(*strategies, **named)(body))
    return decorate


@pytest.fixture(autouse=True)
def mode(request):
    MODE["now"] = "long" if request.node.get_closest_marker("fuzz_long") else "short"
    yield


# --- the commands -------------------------------------------------------------------------------------------------

@fuzz(150, hostile_repository())
def test_fuzz_preflight(change):
    _run_on_copy(change, ["preflight", "{repo}", "--format", "json"])


@fuzz(120, hostile_repository(), st.sampled_from(["payload.yaml", "sub/dir/p.yaml", ".", "missing/../p.yaml"]))
def test_fuzz_payload(change, out):
    _run_on_copy(change, ["payload", "--out", "{tmp}/" + out, "--gitops-dir", "{repo}"])


@fuzz(25, hostile_repository())
def test_fuzz_plan(change):
    _run_on_copy(change, ["plan", "--gitops-dir", "{repo}", "--output", "{tmp}/out"])


@fuzz(25, hostile_repository())
def test_fuzz_scenario_dry_run(change):
    _run_on_copy(change, ["scenario", "gitsync-wrong-host-key", "--dry-run", "--gitops-dir", "{repo}"])


@fuzz(150, st.data())
def test_fuzz_report(data):
    small = {**TIMELINE, "events": TIMELINE["events"][:40]}
    timeline = data.draw(mutated(small))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.json"
        try:
            path.write_text(_big(json.dumps(timeline)))
        except (ValueError, OverflowError):
            path.write_text('{"events": [}')
        out = data.draw(st.sampled_from(["r.html", ".", "sub/r.html"]))
        run("report", ["report", str(path), "--out", str(Path(tmp) / out)])


@fuzz(200, st.data())
def test_fuzz_reproduce_dry_run(data):
    bundle = data.draw(mutated(BUNDLE))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bundle.json"
        try:
            path.write_text(_big(json.dumps(bundle)))
        except (ValueError, OverflowError):
            path.write_text("[" * 50_000)
        run("reproduce", ["reproduce", str(path), "--dry-run"])


STATE = {"config": RunConfig(run_id="e2e-fuzz").to_json(), "created_cluster": False,
         "kubeconfig": "/nonexistent/kubeconfig", "context": None}


@fuzz(100, data=st.data(), command=st.sampled_from(["status", "down", "collect"]))
def test_fuzz_run_state(data, command, monkeypatch_module):
    from e2e.cluster import bringup

    state = data.draw(mutated(STATE))
    if isinstance(state, dict):  # never let `down` delete a real cluster or reach a real API server
        state["created_cluster"] = False
        state["kubeconfig"] = "/nonexistent/kubeconfig"
    secrets_text = data.draw(st.one_of(st.just("payload: {}\n"), st.text(max_size=100),
                                       st.just("a: &a [1,1,1,1,1,1,1,1,1]\n" + "".join(
                                           f"b{i}: &b{i} [" + ",".join([f"*{'a' if i == 0 else f'b{i - 1}'}"] * 9)
                                           + "]\n" for i in range(8)))))
    with tempfile.TemporaryDirectory() as tmp:
        monkeypatch_module.setattr(bringup, "STATE_ROOT", Path(tmp))
        work = Path(tmp) / "e2e-fuzz"
        work.mkdir()
        try:
            (work / "state.json").write_text(_big(json.dumps(state)))
        except (ValueError, OverflowError):
            (work / "state.json").write_text("{")
        (work / "secrets.yaml").write_text(secrets_text)
        argv = [command, "--run-id", "e2e-fuzz"] + (["--output", str(Path(tmp) / "out")] if command == "collect"
                                                     else [])
        run(command, argv)


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


# --- the commands that would start servers or a cluster: stopped before they could --------------------------------
# `components` and `test --tier components` run for real up to the suite's pytest process (the point where the
# servers would start): there a stand-in counts the input as accepted. Docker and every cluster tool are made
# unavailable in-process, and a cluster phase or a bring-up session reached anyway fails the example.

class ClusterReached(BaseException):  # not an Exception: nothing in the harness may swallow it
    pass


def _accepted(name, suite, config, out, *args, **kwargs):
    if name != "components":
        raise ClusterReached(f"the {name} phase was reached without Docker")
    COUNTS[f"{MODE['command']} {MODE['now']} accepted (suite not started)"] += 1
    return tiers.PhaseResult(name, "passed", passed=1)


@pytest.fixture
def no_servers(monkeypatch):
    from e2e.cluster import session, tools

    monkeypatch.setattr(tools, "find", lambda name: None)  # no docker, kind, kubectl or helm on this machine
    monkeypatch.setattr(tiers, "run_suite_phase", _accepted)
    monkeypatch.setattr(session.Session, "__init__", lambda *a, **k: (_ for _ in ()).throw(
        ClusterReached("a bring-up session was started without Docker")))


_argv_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=20)
# not "/": a repository walk of the whole machine is bounded (200,000 files) but takes seconds
HOSTILE_ARGS = ("", " ", "-", "--help", "x; rm -rf /", DIGITS, "NaN", "inf", "-1", "0", "1e400", "../../etc",
                "/nonexistent", "/dev/zero", "/dev/null", "/dev", "/proc/self", "{tmp}/fifo", "{tmp}/file", "{tmp}/dir",
                "~", "~nouser/x", "$(id)", "%s%n", "'\"", "<script>", "a,b", ",", "1.2.3.4.5", "{repo}/NOTES", "x\r")
HOSTILE = st.one_of(st.sampled_from(HOSTILE_ARGS), _argv_text)
CHARTS = (*versions.CHART_AIRFLOW, "1.0.0", "latest")
DIRS = ("{repo}", "{tmp}/dir", "{tmp}/repo/apps")
# option -> values of the right form (the files may still be hostile); a hostile example also draws from HOSTILE
COMMON = {"--chart-version": CHARTS, "--dags-dir": DIRS, "--gitops-dir": DIRS, "--artifacts": ("{tmp}/a", "{tmp}/a/b"),
          "--payload": ("{tmp}/payload.yaml", "{tmp}/payload.yaml", "{tmp}/bad-payload.yaml", "{tmp}/link-zero"),
          "--timeout-multiplier": ("1", "0.5", "3")}
CLUSTER_OPTS = {"--cluster": ("kind", "existing"), "--kubeconfig": ("{tmp}/kubeconfig", "{tmp}/file"),
                "--context": ("kind-x",), "--keep-cluster": ("always", "on-failure", "never"),
                "--kubernetes": tuple(versions.KIND_NODE_IMAGES), "--registry-mirror": ("http://m:5000",)}
ENVIRONMENT = {"AIRFLOW_E2E_CHART_VERSION": CHARTS, "AIRFLOW_E2E_AIRFLOW_VERSION": ("3.0.2", "2.10.5"),
               "AIRFLOW_E2E_TIMEOUT_MULTIPLIER": ("2", "abc"), "AIRFLOW_E2E_REGISTRY_MIRROR": ("http://m",),
               "AIRFLOW_E2E_REQUIRE_CLUSTER": ("1", "0", "yes"), "KUBECONFIG": ("{tmp}/kubeconfig", "/nonexistent")}
REPOSITORIES = st.one_of(st.none(), hostile_repository())  # None: the reference repository unchanged
PAYLOAD = payload_mod.generate()


# what --artifacts (the one option written to) may be: nothing outside the example's folders, even as root
WRITABLE = st.one_of(st.sampled_from(["{tmp}/file", "{tmp}/fifo", "{tmp}/repo", "{tmp}/dir/../a", "0", "-", "x\r", "",
                                      " ", "{tmp}/" + "d" * 300, "../../etc"]),
                     _argv_text.filter(lambda t: not t.lstrip().startswith(("/", "~")) and ".." not in t))


def _draw(data: st.DataObject, usable: tuple[str, ...], label: str) -> str:
    hostile = WRITABLE if label == "--artifacts" else HOSTILE
    return data.draw(st.one_of(st.sampled_from(usable), hostile) if MODE["hostile"] else st.sampled_from(usable),
                     label=label)


def _options(data: st.DataObject, table: dict[str, tuple[str, ...]]) -> list[str]:
    flags = data.draw(st.lists(st.sampled_from(sorted(table)), unique=True, max_size=4))
    drawn = [(flag, _draw(data, table[flag], flag)) for flag in flags]
    return [x for flag, value in drawn for x in ([f"{flag}={value}"] if flag == "--pytest-arg" else [flag, value])]


def _run_hostile(data: st.DataObject, change: tuple[str, str] | None, argv: list[str]) -> int:
    """argv on a (maybe hostile) copy of the repository, with AIRFLOW_E2E_* variables, a FIFO, special files and
    a mutated payload beside it."""
    env = {name: _draw(data, ENVIRONMENT[name], name)
           for name in data.draw(st.lists(st.sampled_from(sorted(ENVIRONMENT)), unique=True, max_size=2))}
    scratch = {"file": "x\n", "dir/.keep": "", "kubeconfig": data.draw(st.sampled_from(["", "apiVersion: v1\n", "[}"])),
               "payload.yaml": payload_mod.dumps(PAYLOAD), "bad-payload.yaml": _dump(data.draw(mutated(PAYLOAD)))}
    with pytest.MonkeyPatch.context() as patch, tempfile.TemporaryDirectory() as special:
        os.mkfifo(Path(special) / "fifo")
        for name, value in env.items():
            patch.setenv(name, value.replace("{tmp}", special))
        argv = [a.replace("{tmp}/fifo", f"{special}/fifo").replace("{tmp}/link-zero", "/dev/zero") for a in argv]
        return _run_on_copy(change, argv, scratch)


def _hostile_or_not(data: st.DataObject) -> None:
    """Half the examples draw every option from HOSTILE too; the other half get past the option checks."""
    MODE["hostile"] = data.draw(st.booleans(), label="hostile")


@fuzz(100, change=REPOSITORIES, data=st.data())
def test_fuzz_components(change, data, no_servers):
    _hostile_or_not(data)
    table = {**COMMON, "--only": ("migration", "chain,broker", "git-sync.host-key", "vault"),
             "--format": ("table", "json"), "--airflow-version": ("3.0.2", "2.10.5"),
             "--upgrade-from": CHARTS, "--pytest-arg": ("-x", "--basetemp=/victim")}
    del table["--gitops-dir"], table["--timeout-multiplier"]
    argv = ["components", _draw(data, DIRS, "DIR"), "--artifacts", "{tmp}/art", *_options(data, table)]
    _run_hostile(data, change, argv)


@fuzz(100, change=REPOSITORIES, data=st.data())
def test_fuzz_test(change, data, no_servers):
    _hostile_or_not(data)
    table = {**COMMON, **CLUSTER_OPTS, "--upgrade-from": CHARTS, "--airflow-version": ("3.0.2",),
             "--pytest-arg": ("-x",)}
    del table["--gitops-dir"]
    tiers_ = ("preflight", "components", "components", "cluster", "all")
    argv = ["test", _draw(data, DIRS, "DIR"), "--artifacts", "{tmp}/art", "--tier", _draw(data, tiers_, "--tier"),
            *_options(data, table)]
    _run_hostile(data, change, argv)


@fuzz(100, change=REPOSITORIES, data=st.data())
def test_fuzz_up(change, data, no_servers):
    _hostile_or_not(data)
    _run_hostile(data, change, ["up", "--gitops-dir", "{repo}", "--artifacts", "{tmp}/art",
                                *_options(data, {**COMMON, **CLUSTER_OPTS})])


@fuzz(50, change=REPOSITORIES, data=st.data())
def test_fuzz_scenario_live(change, data, no_servers):
    _hostile_or_not(data)
    table = {**CLUSTER_OPTS, "--gitops-dir": DIRS, "--artifacts": COMMON["--artifacts"], "--upgrade-to": CHARTS,
             "--format": ("text", "json")}
    name = _draw(data, ("gitsync-wrong-host-key", "chart-upgrade"), "NAME")
    _run_hostile(data, change, ["scenario", name, "--gitops-dir", "{repo}", *_options(data, table)])


NODE = {"metadata": {"name": "n", "labels": {RUN_ID_LABEL: "e2e-1", EXPIRES_LABEL: "1795456800",
                                             CREATED_BY_LABEL: CREATED_BY}}}
TOOL_OUTPUT = {"clusters": "airflow-e2e-1\nother\n", "nodes": {"items": [NODE, NODE]},
               "namespaces": {"items": [{**NODE, "status": {"phase": "Active"}}]}}
STEPS = ("get clusters", "get kubeconfig", "get nodes", "get namespaces", "delete")


@fuzz(100, data=st.data())
def test_fuzz_sweep(data, monkeypatch):
    """sweep's inputs are its options and what kind and kubectl answer: both hostile; nothing is run or deleted."""
    from e2e.commands import sweep

    _hostile_or_not(data)
    answers = data.draw(mutated(TOOL_OUTPUT)) if MODE["hostile"] else TOOL_OUTPUT
    failing = data.draw(st.sets(st.sampled_from(STEPS)))

    def call(argv):
        step = next(s for s in STEPS if all(word in argv for word in s.split()))
        if step in failing:
            raise sweep.ToolError(f"{step}: refused")
        key = {"get clusters": "clusters", "get nodes": "nodes", "get namespaces": "namespaces"}.get(step)
        value = answers.get(key) if isinstance(answers, dict) and key else ""
        return value if isinstance(value, str) else _big(json.dumps(value, default=str))

    tools = data.draw(st.sampled_from([("kind", "kubectl"), ("kind", "kubectl"), (None, "kubectl"), (None, None)]))
    monkeypatch.setattr(sweep.tools, "find", lambda name: tools[0] if name == "kind" else tools[1])
    monkeypatch.setattr(sweep, "_call", call)
    table = {"--now": ("1795456900", "2026-11-24T06:00:00Z", "0001-01-01T00:00:00+14:00", "1795456800.5"),
             "--kubeconfig": ("/nonexistent/kubeconfig",), "--context": ("kind-x",)}
    flags = data.draw(st.lists(st.sampled_from(["--dry-run", "--no-clusters", "--no-namespaces"]), unique=True))
    argv = ["sweep", *flags, *_options(data, table)]
    run("sweep", [a.replace("{tmp}", "/nonexistent").replace("{repo}", str(DEFAULT_GITOPS_DIR)) for a in argv])
