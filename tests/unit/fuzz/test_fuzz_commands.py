"""Every command's inputs, fuzzed (issue 16 "Must show"): hostile repositories, timelines, bundles, payload
targets and run state. Each run is in-process under a deadline; the verdict is the same for all: exit 0, 1 or 2,
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

from e2e.ci import bundle as bundle_mod
from e2e.cli import main
from e2e.config import DEFAULT_GITOPS_DIR, REPO_ROOT, RunConfig

pytestmark = pytest.mark.unit
LONG = 20  # the fuzz_long twin runs this many times the examples
MODE = {"now": "short"}  # set per test by the autouse fixture `mode`: counts are kept per mode
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


class Hang(Exception):
    pass


def _alarm(signum, frame):
    raise Hang(f"no answer within {DEADLINE_S} s")


def run(command: str, argv: list[str]) -> int:
    """main(argv) under a deadline; the output is swallowed; an escaped exception or exit 3 fails the example."""
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(DEADLINE_S)
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
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


def _repo_with(change: tuple[str, str]) -> Path:
    root = Path(tempfile.mkdtemp(prefix="fuzz-repo-"))
    shutil.copytree(DEFAULT_GITOPS_DIR, root / "repo")
    (root / "repo" / change[0]).write_text(change[1])
    return root


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
    root = _repo_with(change)
    try:
        run("preflight", ["preflight", str(root / "repo"), "--format", "json"])
    finally:
        shutil.rmtree(root, ignore_errors=True)


@fuzz(120, hostile_repository(), st.sampled_from(["payload.yaml", "sub/dir/p.yaml", ".", "missing/../p.yaml"]))
def test_fuzz_payload(change, out):
    root = _repo_with(change)
    try:
        run("payload", ["payload", "--out", str(root / out), "--gitops-dir", str(root / "repo")])
    finally:
        shutil.rmtree(root, ignore_errors=True)


@fuzz(25, hostile_repository())
def test_fuzz_plan(change):
    root = _repo_with(change)
    try:
        run("plan", ["plan", "--gitops-dir", str(root / "repo"), "--output", str(root / "out")])
    finally:
        shutil.rmtree(root, ignore_errors=True)


@fuzz(25, hostile_repository())
def test_fuzz_scenario_dry_run(change):
    root = _repo_with(change)
    try:
        run("scenario", ["scenario", "gitsync-wrong-host-key", "--dry-run", "--gitops-dir", str(root / "repo")])
    finally:
        shutil.rmtree(root, ignore_errors=True)


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
