"""The chart schema comes from the pinned chart, downloaded once with helm and cached (issue 14 point 5).

No chart repository is reachable here, so the real code path runs against a real one on loopback: a small
`airflow` chart with a values.schema.json, packaged by the real helm (`helm package`, `helm repo index`) and
served by http.server on 127.0.0.1. The Application's chart source names that repository; `airflow-e2e
preflight` runs as a fresh process, pulls the chart, checks the values against its schema, and the second run
reads the cache (the server sees no request)."""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from e2e.gitops import chartschema

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "fixtures" / "gitops"
SCHEMA = ROOT / "tests" / "unit" / "preflight" / "schemas" / "1.21.0" / "values.schema.json"
VALUES = "apps/airflow/airflow-values.yaml"
CHART_APP = "argocd/apps/airflow.yaml"


class ChartRepository:
    """A helm chart repository on 127.0.0.1 (http.server in a thread) that records each request path."""

    def __init__(self, directory: Path) -> None:
        self.requests: list[str] = []
        seen = self.requests

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, directory=str(directory), **kwargs)

            def do_GET(self):
                seen.append(self.path)
                super().do_GET()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> ChartRepository:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


def _package_chart(helm: Path, work: Path, url: str, version: str = "1.21.0", schema: bool = True) -> None:
    """`helm package` + `helm repo index` of a minimal airflow chart into `work/repo`."""
    src = work / "src" / "airflow"
    (src / "templates").mkdir(parents=True)
    (src / "Chart.yaml").write_text(f"apiVersion: v2\nname: airflow\nversion: {version}\nappVersion: 3.1.8\n")
    (src / "values.yaml").write_text("executor: CeleryExecutor\n")
    (src / "templates" / "configmap.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n")
    if schema:
        shutil.copy(SCHEMA, src / "values.schema.json")
    repo = work / "repo"
    repo.mkdir()
    subprocess.run([str(helm), "package", str(src), "-d", str(repo)], check=True, capture_output=True)
    subprocess.run([str(helm), "repo", "index", str(repo), "--url", url], check=True, capture_output=True)


@contextlib.contextmanager
def _chart_repository(helm: Path, work: Path, **chart) -> Iterator[ChartRepository]:
    """A ChartRepository serving `work/repo`, which holds the packaged chart (`_package_chart`'s options)."""
    with ChartRepository(work / "repo") as server:
        _package_chart(helm, work, server.url, **chart)
        yield server


@pytest.fixture
def helm_env(helm, tmp_path, monkeypatch) -> dict[str, str]:
    """The environment of a user with the pinned helm and an empty cache (helm's own dirs in tmp too)."""
    monkeypatch.delenv(chartschema.OFFLINE_ENV, raising=False)
    env = {k: v for k, v in os.environ.items() if k != chartschema.OFFLINE_ENV}
    env |= {chartschema.HELM_ENV: str(helm), "AIRFLOW_E2E_CACHE_DIR": str(tmp_path / "cache"),
            "HELM_CACHE_HOME": str(tmp_path / "helm-cache"), "HELM_CONFIG_HOME": str(tmp_path / "helm-config"),
            "HELM_DATA_HOME": str(tmp_path / "helm-data")}
    for key in (chartschema.HELM_ENV, "AIRFLOW_E2E_CACHE_DIR", "HELM_CACHE_HOME", "HELM_CONFIG_HOME",
                "HELM_DATA_HOME"):
        monkeypatch.setenv(key, env[key])
    return env


@pytest.fixture
def served(helm, tmp_path) -> Iterator[ChartRepository]:
    with _chart_repository(helm, tmp_path) as server:
        yield server


def _gitops(tmp_path: Path, chart_repo: str) -> Path:
    """The reference repository with a misspelt values key (`triggerrer`), installing the chart from `chart_repo`."""
    target = tmp_path / "gitops"
    shutil.copytree(REFERENCE, target)
    app = target / CHART_APP
    app.write_text(app.read_text().replace("repoURL: https://airflow.apache.org", f"repoURL: {chart_repo}", 1))
    values = target / VALUES
    values.write_text(values.read_text() + "triggerrer:\n  replicas: 1\n")
    return target


def _preflight(gitops: Path, env: dict[str, str], *extra: str) -> tuple[int, list[dict], list[str]]:
    done = subprocess.run([sys.executable, "-m", "e2e.cli", "preflight", str(gitops), "--format", "json", *extra],
                          capture_output=True, text=True, env=env, timeout=120, check=False)
    doc = json.loads(done.stdout)
    return done.returncode, doc["findings"], doc["summary"]["notes"]


def test_the_pinned_chart_is_downloaded_once_with_helm_and_the_second_run_reads_the_cache(
        tmp_path, helm_env, served):
    gitops = _gitops(tmp_path, served.url)
    code, findings, notes = _preflight(gitops, helm_env)
    assert [(f["rule"], f["file"], f["hint"]) for f in findings] == [
        ("values-key-unknown", VALUES, "did you mean triggerer?")]
    assert code == 1
    assert "/index.yaml" in served.requests and "/airflow-1.21.0.tgz" in served.requests
    cached = Path(helm_env["AIRFLOW_E2E_CACHE_DIR"]) / "charts" / "airflow" / "1.21.0" / "values.schema.json"
    assert json.loads(cached.read_text()) == json.loads(SCHEMA.read_text())
    assert len(notes) == 1 and notes[0].startswith(f"downloaded chart airflow 1.21.0 from {served.url} with helm")

    served.requests.clear()
    code, again, notes = _preflight(gitops, helm_env)
    assert (code, again, notes, served.requests) == (1, findings, [], [])


def test_offline_nothing_is_downloaded_and_one_note_says_so(tmp_path, helm_env, served):
    code, findings, notes = _preflight(_gitops(tmp_path, served.url), helm_env, "--offline")
    assert (code, findings, served.requests) == (0, [], [])
    assert len(notes) == 1 and "values keys not checked" in notes[0] and "offline" in notes[0]


def test_without_helm_one_note_names_how_to_get_it(tmp_path, helm_env, served):
    env = {**helm_env, chartschema.HELM_ENV: str(tmp_path / "no-helm-here")}
    code, findings, notes = _preflight(_gitops(tmp_path, served.url), env)
    assert (code, findings, served.requests) == (0, [], [])
    assert len(notes) == 1 and "no helm to download chart airflow 1.21.0" in notes[0]


def test_a_failed_download_is_one_note_and_is_not_retried_within_the_hour(tmp_path, helm_env, helm):
    with _chart_repository(helm, tmp_path, version="1.20.0") as server:  # a repository without the pinned version
        gitops = _gitops(tmp_path, server.url)
        code, findings, notes = _preflight(gitops, helm_env)
        assert (code, findings) == (0, [])
        assert len(notes) == 1 and "downloading chart airflow 1.21.0" in notes[0] and "failed" in notes[0]
        assert server.requests == ["/index.yaml"]
        server.requests.clear()
        code, _, notes = _preflight(gitops, helm_env)
        assert (code, server.requests) == (0, [])
        assert "not retried yet" in notes[0]


def test_a_chart_without_a_schema_is_said_once(tmp_path, helm_env, helm):
    with _chart_repository(helm, tmp_path, schema=False) as server:
        result = chartschema.download_schema("airflow", server.url, "1.21.0")
    assert result.schema is None and "has no values.schema.json" in result.said


def test_a_repository_that_never_answers_is_cut_at_the_deadline(helm_env):
    with socket.socket() as listener:  # accepts the connection (backlog) and never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        result = chartschema.download_schema("airflow", url, "1.21.0", timeout=2)
    assert result.schema is None and "did not finish within 2 s" in result.said


def test_oci_and_http_repositories_are_pulled_as_helm_names_them():
    assert chartschema.pull_argv("helm", "airflow", "https://airflow.apache.org", "1.21.0", Path("/d")) == [
        "helm", "pull", "airflow", "--repo", "https://airflow.apache.org", "--version", "1.21.0", "--destination", "/d"]
    assert chartschema.pull_argv("helm", "airflow", "ghcr.io/team/charts", "1.21.0", Path("/d"))[:3] == [
        "helm", "pull", "oci://ghcr.io/team/charts/airflow"]
    assert chartschema.pull_argv("helm", "airflow", "oci://ghcr.io/team/charts/", "1.21.0", Path("/d"))[2] == \
        "oci://ghcr.io/team/charts/airflow"
