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
