"""The docs' preflight examples are run and their summary lines compared (issue 16 item 11): every
`$ airflow-e2e preflight ...` shown with a `preflight: N error(s), ...` line gives those finding counts today
(timings and rule counts are not compared), and the "three typical mistakes" example gives what it says."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from e2e.config import REPO_ROOT

pytestmark = pytest.mark.unit
SUMMARY = re.compile(r"preflight: (\d+) error\(s\), (\d+) warning\(s\), (\d+) info; (\d+) rules over (\d+) files")
DOCS = [REPO_ROOT / "docs" / "preflight.md", REPO_ROOT / "docs" / "variants.md"]


def shown_examples() -> list[tuple[str, str, tuple[str, ...]]]:
    """(doc, shell command, expected summary numbers) for each command whose block shows a summary line."""
    found = []
    for doc in DOCS:
        for block in re.findall(r"```\n(.*?)```", doc.read_text(), re.S):
            command = None
            for line in block.splitlines():
                if line.startswith("$ "):
                    command = line[2:].split("  #")[0].strip()
                elif (match := SUMMARY.search(line)) and command and "preflight" in command:
                    found.append((doc.name, command, match.groups()))
                    command = None
    return found


def _run(command: str, tmp_path: Path | None = None) -> str:
    if tmp_path is not None:  # the docs' /tmp files go to this test's own directory
        command = command.replace("/tmp/", f"{tmp_path}/")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(["bash", "-c", command], cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                            timeout=180, check=False)
    return result.stdout


EXAMPLES = shown_examples()


def test_the_docs_show_preflight_examples():
    assert len(EXAMPLES) >= 4


@pytest.mark.parametrize("doc, command, expected", EXAMPLES, ids=[f"{d}:{c[:50]}" for d, c, _ in EXAMPLES])
def test_each_shown_preflight_command_prints_its_shown_summary(tmp_path, doc, command, expected):
    match = SUMMARY.search(_run(command, tmp_path))
    assert match is not None, f"{doc}: `{command}` printed no summary"
    # errors, warnings, info are compared; the rule and file counts grow with every rule added, so they are not
    assert match.groups()[:3] == expected[:3], f"{doc}: `{command}` now prints {match.group(0)!r}"


def test_the_three_mistakes_example_gives_what_the_docs_say(tmp_path):
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
    match = SUMMARY.search(_run(f"airflow-e2e preflight {repo}"))
    assert match is not None and match.groups()[:3] == expected[:3], match.group(0) if match else None


# --- every other shown command that can run here ---------------------------------------------------------------
RUNNABLE = ("airflow-e2e payload ", "airflow-e2e report ", "airflow-e2e plan ", "airflow-e2e preflight ")
VOLATILE = [(r"…|\.\.\.", ".*"), (r"e2e-\d{10}-[0-9a-f]{4}", r"e2e-\d{10}-[0-9a-f]{4}"),
            (r"in \d+(?:\.\d+)? ms", r"in [\d.]+ ms")]  # what changes from run to run, and elisions


def shown_blocks() -> list[tuple[str, list[tuple[str, list[str]]]]]:
    """(doc, [(command, the output lines shown under it)]) for each docs block whose commands all run here."""
    found = []
    for doc in sorted((REPO_ROOT / "docs").glob("*.md")):
        for block in re.findall(r"```\n(.*?)```", doc.read_text(), re.S):
            steps: list[tuple[str, list[str]]] = []
            for line in block.splitlines():
                if line.startswith("$ "):
                    steps.append((line[2:].split("  #")[0].strip(), []))
                elif steps and line.strip():
                    steps[-1][1].append(line)
            if steps and all(cmd.startswith(RUNNABLE) and "~" not in cmd for cmd, _ in steps) \
                    and any(shown for _, shown in steps):
                found.append((doc.name, steps))
    return found


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


BLOCKS = shown_blocks()


def test_the_docs_show_examples_of_other_commands():
    assert {c.split()[1] for _, steps in BLOCKS for c, _ in steps} >= {"payload", "report", "plan"}


@pytest.mark.parametrize("doc, steps", BLOCKS, ids=[f"{d}:{s[0][0][:40]}" for d, s in BLOCKS])
def test_each_shown_command_prints_the_lines_the_docs_show(tmp_path, doc, steps):
    (tmp_path / "fixtures").symlink_to(REPO_ROOT / "fixtures")  # the docs' relative paths, in a scratch cwd
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    for command, shown in steps:
        result = subprocess.run(["bash", "-c", command.replace("/tmp/", f"{tmp_path}/")], cwd=tmp_path, env=env,
                                capture_output=True, text=True, timeout=300, check=False)
        printed = (result.stdout + result.stderr).replace(f"{tmp_path}/", "/tmp/").splitlines()
        if "preflight" in command and SUMMARY.search(" ".join(shown)):
            continue  # summaries are compared by the test above (counts only)
        for line in shown:
            assert any(_pattern(line).fullmatch(p) for p in printed), \
                f"{doc}: `{command}` no longer prints {line!r}; it printed {printed[-6:]!r}"


def test_the_readme_and_docs_link_only_to_files_in_the_repository():
    pages = [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").glob("*.md"))]
    broken = [(page.name, target) for page in pages
              for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text())
              if "://" not in target and not (page.parent / target).exists()]
    assert broken == []
    outside = [page.name for page in pages if re.search(r"(?<!docs/)\bFACTS\.md|ARCHITECTURE\.md", page.read_text())]
    assert outside == [], "facts and design are docs/facts.md and docs/design.md"
