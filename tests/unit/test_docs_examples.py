"""The docs' examples are run and their output compared (issue 16 item 11): every shown command (README.md and
docs/*.md) is in SHOWN: run here in-process as far as this machine allows (Docker's daemon down, no cluster, the
component suite's servers replaced at the point they would start), its exit code and shown lines compared (a
`preflight: N error(s), ...` line by its finding counts: timings and rule counts are not compared), or marked
with the reason it is not run. A new example that is neither fails the test. The "three typical mistakes"
example gives what it says."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shlex
import shutil
from collections import Counter
from pathlib import Path

import pytest

from e2e.config import REPO_ROOT

pytestmark = pytest.mark.unit
SUMMARY = re.compile(r"preflight: (\d+) error\(s\), (\d+) warning\(s\), (\d+) info; (\d+) rules over (\d+) files")


def test_the_three_mistakes_example_gives_what_the_docs_say(tmp_path, capsys):
    from e2e.cli import main

    text = (REPO_ROOT / "docs" / "preflight.md").read_text()
    section = text.split("### Reading the findings", 1)[1]
    expected = SUMMARY.search(section).groups()
    repo = tmp_path / "repo"
    shutil.copytree(REPO_ROOT / "fixtures" / "gitops", repo)
    edits = [("apps/airflow/external-secrets.yaml", "        fernet-key: '{{ (fromYaml .config).fernetKey }}'",
              "        fernet_key: '{{ (fromYaml .config).fernetKey }}'"),
             ("vault/policies/airflow-secret-read.hcl", 'path "secret/data/airflow/*"', 'path "secret/airflow/*"'),
             ("argocd/apps/airflow-secrets.yaml", 'sync-wave: "5"', 'sync-wave: "15"')]
    for rel, old, new in edits:
        path = repo / rel
        assert path.read_text().count(old) == 1, f"{rel}: the example's edit no longer applies"
        path.write_text(path.read_text().replace(old, new))
    main(["preflight", str(repo)])
    match = SUMMARY.search(capsys.readouterr().out)
    assert match is not None and match.groups()[:3] == expected[:3], match.group(0) if match else None


VOLATILE = [(r"…|\.\.\.", ".*"), (r"e2e-\d{10}-[0-9a-f]{4}", r"e2e-\d{10}-[0-9a-f]{4}"),
            (r"in \d+(?:\.\d+)? ms", r"in [\d.]+ ms"),
            (r"/python(?= -m )", r"/python[\d.]*")]  # what changes run to run (interpreter name), elisions


def _pattern(shown: str) -> re.Pattern[str]:
    """The shown line as a regular expression: literal, except the volatile parts."""
    parts, rest = [], shown
    while rest:
        hits = [(m.start(), m.end(), general) for volatile, general in VOLATILE if (m := re.search(volatile, rest))]
        if not hits:
            parts.append(re.escape(rest))
            break
        start, end, general = min(hits)
        parts += [re.escape(rest[:start]), general]
        rest = rest[end:]
    return re.compile("".join(parts))


def test_the_readme_and_docs_link_only_to_files_in_the_repository():
    pages = [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").glob("*.md"))]
    broken = [(page.name, target) for page in pages
              for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text())
              if "://" not in target and not (page.parent / target).exists()]
    assert broken == []
    outside = [page.name for page in pages if re.search(r"(?<!docs/)\bFACTS\.md|ARCHITECTURE\.md", page.read_text())]
    assert outside == [], "facts and design are docs/facts.md and docs/design.md"


# --- every shown command: run here (up to what needs servers or a cluster), or marked with why not ------------
# A shown command is a line of a code block in README.md or docs/*.md that starts with `airflow-e2e ` or `make `
# (after `$ ` where the block uses prompts; the other lines of such a block are output). Each one is in SHOWN,
# by its text without the trailing comment: an exit code (run in-process, below; the lines shown under it are
# compared), ACCEPTED (the component tier's options and inputs are accepted up to the suite's pytest process,
# where the real servers would start: tests/components runs that part), or a Mark (not run, and why).

class Mark(str):
    """Not run here: the reason."""


ACCEPTED = "accepted up to the component suite's servers (the real tier's output is tests/components')"
NEEDS_CLUSTER = Mark("needs a running cluster (kind and Docker): the cluster tier, proven offline by `plan`")
SYNOPSIS = Mark("a synopsis with placeholders, not a command")
MAKE = Mark("a make target: CI runs it (`make test`, `make e2e`) or it spells a command run here")
SHOWN: dict[str, int | str] = {
    # README.md
    "make e2e": MAKE, "make test": MAKE,
    "airflow-e2e test ~/src/k8s-infra --tier preflight": 0,
    "airflow-e2e test ~/src/k8s-infra --tier components --chart-version 1.22.0": ACCEPTED,
    "airflow-e2e test ~/src/k8s-infra --tier cluster --upgrade-from 1.21.0 --chart-version 1.22.0": 2,
    "airflow-e2e preflight ~/src/k8s-infra": 0,
    "airflow-e2e scenario gitsync-wrong-host-key --dry-run": 0,
    "airflow-e2e scenario gitsync-wrong-host-key": 2,
    "airflow-e2e test --tier cluster --keep-cluster on-failure": 2,
    # docs/assertions.md
    "airflow-e2e test --tier cluster --pytest-arg=-m --pytest-arg=ordering": 2,
    "airflow-e2e test --tier cluster --pytest-arg=-m --pytest-arg=secrets": 2,
    'airflow-e2e test --tier cluster --pytest-arg=-m "--pytest-arg=migration or userjob"': 2,
    "airflow-e2e test --tier cluster --pytest-arg=-m --pytest-arg=gitsync": 2,
    "airflow-e2e report TIMELINE.json [--out report.html] [--junit FILE] [--gitops-dir DIR] [--chart-version V]":
        SYNOPSIS,
    "airflow-e2e report fixtures/timelines/secrets-late.json --out late.html --junit late.xml": 1,
    # docs/ci.md
    "airflow-e2e reproduce artifacts/ci/bundle.json --dry-run": 0,
    "airflow-e2e reproduce bundle.json --gitops-dir ~/src/platform-gitops/airflow":
        Mark("needs a cluster: it runs the bundle's failed tests on kind (its --dry-run form is run)"),
    "airflow-e2e sweep --dry-run": 1,
    "airflow-e2e sweep --now 2026-11-30T00:00:00Z --no-clusters --context kind-airflow-e2e": 1,
    # docs/cluster.md
    "make setup": MAKE,
    "airflow-e2e plan --output /tmp/plan": 0,
    "airflow-e2e plan --gitops-dir fixtures/variants/team-repo --cluster existing --output /tmp/plan-existing": 0,
    "airflow-e2e up": 2,
    # docs/components.md
    "airflow-e2e components [DIR] [--payload FILE] [--format table|json] [--chart-version V] [--airflow-version V]":
        SYNOPSIS,
    "make components DIR=path/to/gitops": MAKE,
    "airflow-e2e components --only broker,git-sync": ACCEPTED,
    "airflow-e2e components": ACCEPTED,
    "airflow-e2e components --upgrade-from 1.21.0 --chart-version 1.22.0": ACCEPTED,
    "airflow-e2e components ~/src/k8s-infra --payload ~/secrets/airflow-payload.yaml --format json > components.json":
        ACCEPTED,
    "airflow-e2e test --tier components": ACCEPTED,
    # docs/payload.md
    "airflow-e2e payload --out FILE [--gitops-dir DIR] [--db-host H] [--db-port P] [--redis-host H] [--redis-port P]":
        SYNOPSIS,
    "airflow-e2e payload --out /tmp/payload.yaml": 0,
    "airflow-e2e preflight fixtures/gitops --payload /tmp/payload.yaml": 0,
    "airflow-e2e payload --out /tmp/p.yaml --gitops-dir fixtures/variants/team-repo": 0,
    # docs/preflight.md
    "airflow-e2e preflight DIR [--payload FILE] [--format text|json] [--include GLOB]... [--exclude GLOB]...":
        SYNOPSIS,
    "make preflight DIR=path/to/k8s-infra": MAKE,
    "airflow-e2e preflight fixtures/gitops": 0,
    "airflow-e2e preflight fixtures/seed-as-written": 1,
    "airflow-e2e payload --out /tmp/payload.yaml && airflow-e2e preflight fixtures/gitops --payload /tmp/payload.yaml":
        0,
    # docs/scenarios.md
    "airflow-e2e scenario --list [--format text|json]": SYNOPSIS,
    "airflow-e2e scenario NAME --dry-run [--format text|json] [--gitops-dir DIR] [--upgrade-to V] "
    "[--timeout-multiplier X]": SYNOPSIS,
    "airflow-e2e scenario NAME [--cluster existing|kind] [--kubeconfig FILE] [--context CTX] [--gitops-dir DIR]":
        SYNOPSIS,
    "airflow-e2e scenario --list": 0,
    "airflow-e2e scenario secrets-after-pods --dry-run": 0,
    "airflow-e2e scenario kv2-policy-without-data --dry-run --gitops-dir ../k8s-infra --format json": 0,
    "airflow-e2e scenario bad-fernet-key --dry-run --gitops-dir fixtures/variants/team-repo": 0,
    "airflow-e2e up && airflow-e2e scenario secrets-after-pods "
    "--kubeconfig .cache/airflow-e2e/runs/$(cat .cache/airflow-e2e/runs/last)/kubeconfig": NEEDS_CLUSTER,
    "airflow-e2e test --tier cluster --cluster kind --pytest-arg=-m --pytest-arg=recovery": 2,
    "airflow-e2e test --tier cluster --cluster existing --kubeconfig kubeconfig "
    "--pytest-arg=-m --pytest-arg=recovery --pytest-arg=-k --pytest-arg=vault-restarted": 2,
    # docs/team.md, templates.md, variants.md
    "airflow-e2e test": 2,
    "airflow-e2e preflight fixtures/variants/team-repo": 0,
    "airflow-e2e preflight fixtures/variants/team-repo --payload /tmp/p.yaml": 0,
    "airflow-e2e components fixtures/variants/team-repo": ACCEPTED,
    "airflow-e2e plan --gitops-dir fixtures/variants/team-repo --output /tmp/plan-variant": 0,
}


def shown_commands() -> dict[str, list[tuple[str, list[str]]]]:
    """command text -> [(page, the lines shown under it)] for every shown command of README.md and docs/*.md."""
    found: dict[str, list[tuple[str, list[str]]]] = {}
    for page in [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").glob("*.md"))]:
        for block in re.findall(r"```[a-z]*\n(.*?)```", page.read_text(), re.S):
            lines = block.replace("\\\n", " ").splitlines()
            prompts = any(line.startswith("$ ") for line in lines)
            current: list[str] | None = None  # output lines are those under a prompt's command
            for line in lines:
                text = line[2:] if prompts and line.startswith("$ ") else line if not prompts else None
                if text is None or not re.match(r"(airflow-e2e|make) [^:]*(\s|$)", text.split(":")[0] + " "):
                    if current is not None and line.strip():
                        current.append(line)
                    continue
                command = re.sub(r"\s+", " ", re.sub(r"\s#\s.*$", "", text)).strip()
                current = [] if prompts else None
                found.setdefault(command, []).append((page.name, current if prompts else []))
    return found


SHOWN_NOW = shown_commands()
STAND_INS = {"docker": "echo 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker "
                       "daemon running?' >&2; exit 1",
             "kubectl": "echo 'The connection to the server localhost:8080 was refused - did you specify the right "
                        "host or port?' >&2; exit 1"}


def test_every_shown_command_is_run_or_marked_and_every_entry_is_shown():
    """A new example in the docs fails here until it is run (an exit code or ACCEPTED) or marked with why not."""
    assert sorted(set(SHOWN_NOW) - set(SHOWN)) == [], "shown but neither run nor marked: add it to SHOWN"
    assert sorted(set(SHOWN) - set(SHOWN_NOW)) == [], "in SHOWN but no longer shown: remove it"
    counts = Counter("marked: " + v if isinstance(v, Mark) else "accepted" if v == ACCEPTED else "run"
                     for v in SHOWN.values())
    path = REPO_ROOT / "artifacts" / "docs-examples-counts.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(dict(sorted(counts.items())), indent=1) + "\n")
    assert counts["run"] + counts["accepted"] >= 40
    summaries = [line for entries in SHOWN_NOW.values() for _, shown in entries for line in shown
                 if SUMMARY.search(line)]
    assert len(summaries) >= 4, "the preflight examples' summary lines are compared, so they must be found"


def _with_home_and_cwd(tmp_path: Path, command: str) -> tuple[Path, str]:
    """The docs' paths, made real in this test's folder: `~/src/...` and `../k8s-infra` are copies of the
    bundled repository, `~/secrets/...` a fresh payload, `artifacts/ci/bundle.json` the bundle of a failed run,
    `/tmp/` this folder; the working directory has the checkout's fixtures."""
    from e2e import payload
    from e2e.ci import bundle
    from e2e.config import DEFAULT_GITOPS_DIR, RunConfig

    home, cwd = tmp_path / "home", tmp_path / "cwd"
    cwd.mkdir()
    (cwd / "fixtures").symlink_to(REPO_ROOT / "fixtures")
    for rel in re.findall(r"~/(src/[\w./-]+)", command) + (["../k8s-infra"] if "../k8s-infra" in command else []):
        shutil.copytree(DEFAULT_GITOPS_DIR, (cwd / rel) if rel.startswith("..") else home / rel)
    for rel in re.findall(r"~/(secrets/[\w./-]+)", command):
        (home / rel).parent.mkdir(parents=True)
        payload.write(payload.generate(), home / rel)
    if "artifacts/ci/bundle.json" in command:
        (cwd / "artifacts" / "ci").mkdir(parents=True)
        failed = [{"nodeid": "e2e/suites/cluster/test_secrets.py::test_each_secret_is_byte_equal_to_the_vault_payload"}]
        document = bundle.build_bundle(RunConfig(run_id="e2e-2611232257-57f7", chart_version="1.21.0"), failed)
        (cwd / "artifacts" / "ci" / "bundle.json").write_text(json.dumps(document))
    return cwd, command.replace("/tmp/", f"{tmp_path}/").replace("~/", f"{home}/")


def _run_in_process(command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, list[str], list]:
    """(exit code, printed lines, component suites reached): the command run by e2e.cli.main with Docker's
    daemon down and no cluster reachable (stand-in docker and kubectl; no kind or helm), and the suite's pytest
    process replaced by a stand-in (where the servers would start)."""
    from e2e import tiers
    from e2e.cli import main
    from e2e.cluster import tools

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, body in STAND_INS.items():
        (bin_dir / name).write_text(f"#!/bin/sh\n{body}\n")
        (bin_dir / name).chmod(0o755)
    reached: list = []

    def suite(name, suite, config, out, interrupts, extra=(), select=(), stdout=None):
        assert name == "components", f"the {name} phase was reached"
        reached.append(list(select))
        return tiers.PhaseResult(name, "passed", passed=1)

    monkeypatch.setattr(tools, "find", lambda name: str(bin_dir / name) if name in STAND_INS else None)
    monkeypatch.setattr(tiers, "run_suite_phase", suite)
    for name in [n for n in os.environ if n.startswith("AIRFLOW_E2E_") and n != "AIRFLOW_E2E_OFFLINE"] + ["KUBECONFIG"]:
        monkeypatch.delenv(name, raising=False)
    cwd, command = _with_home_and_cwd(tmp_path, command)
    monkeypatch.chdir(cwd)
    code, printed = 0, []
    parts = command.split(" && ")
    for path in re.findall(rf"--payload ({re.escape(str(tmp_path))}/[\w.-]+)(?:\s|$)", command):
        if f"--out {path}" not in command:  # the block's earlier command wrote it, for this repository
            parts.insert(0, f"airflow-e2e payload --out {path} --gitops-dir {shlex.split(parts[-1])[2]}")
    for part in parts:
        argv = shlex.split(part)
        target = argv[argv.index(">") + 1] if ">" in argv else None
        argv = argv[:argv.index(">")] if target else argv
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(argv[1:])
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 2
        if target:
            Path(target).write_text(out.getvalue())
        printed += ((err.getvalue() if target else out.getvalue() + err.getvalue())
                    .replace(f"{tmp_path}/", "/tmp/").splitlines())
        if code:
            break
    return code, printed, reached


RUN_HERE = [(c, v) for c, v in SHOWN.items() if not isinstance(v, Mark)]


@pytest.mark.parametrize("command, verdict", RUN_HERE, ids=[c[:60] for c, _ in RUN_HERE])
def test_each_shown_command_runs_here_as_far_as_this_machine_allows(command, verdict, tmp_path, monkeypatch):
    code, printed, reached = _run_in_process(command, tmp_path, monkeypatch)
    if verdict == ACCEPTED:
        assert (code, len(reached)) == (0, 1), f"`{command}` exited {code}: {printed[-3:]}"
        return
    assert code == verdict, f"`{command}` exited {code}, the docs say {verdict}: {printed[-3:]}"
    if code == 2:
        assert len([p for p in printed if p.strip()]) == 1, printed
    for page, shown in SHOWN_NOW.get(command, []):
        for line in shown:
            if summary := SUMMARY.search(line):  # finding counts only: rule and file counts grow with every rule
                assert summary.groups()[:3] in [m.groups()[:3] for p in printed if (m := SUMMARY.search(p))], \
                    f"{page}: `{command}` no longer prints {line!r}; it printed {printed[-3:]!r}"
                continue
            assert any(_pattern(line).fullmatch(p) for p in printed), \
                f"{page}: `{command}` no longer prints {line!r}; it printed {printed[-6:]!r}"
