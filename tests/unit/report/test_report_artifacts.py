"""What a cluster test keeps (timeline, verdicts, report, JUnit), and the durations and images it reports."""

from __future__ import annotations

import json

from e2e.checks.verdict import Verdict
from e2e.observe.timeline import Event, Timeline
from e2e.report.artifacts import keep
from e2e.report.summary import durations, images


def test_keep_writes_four_masked_files_and_the_timeline_reloads(tmp_path, runs, masker, example_payload):
    timeline = Timeline.load(runs.HERE / "good-run.json")
    password = example_payload["createUserJob"]["defaultUser"]["password"]
    timeline.add([Event(timeline.end + 1, "harness", "Harness", "", "harness", f"note {password}", {})])
    verdict = Verdict("login", False, [f"tried {password}"])
    keep(tmp_path, timeline, [verdict], masker, title="t", versions={"chart": "1.21.0"})
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["checks.xml", "report.html", "timeline.json", "verdicts.json"]
    for path in tmp_path.iterdir():
        assert masker.leaks(path.read_text(encoding="utf-8")) == [], path.name
    reloaded = Timeline.load(tmp_path / "timeline.json")
    assert len(reloaded) == len(timeline)
    assert reloaded.metadata["verdicts"][0]["name"] == "login"
    assert json.loads((tmp_path / "verdicts.json").read_text())[0]["ok"] is False


def test_durations_and_images_of_the_good_run(runs):
    timeline = Timeline.load(runs.HERE / "good-run.json")
    took = durations(timeline)
    assert took["Job airflow-run-airflow-migrations"] == 21.0
    assert took["airflow sync"] > took["airflow-secrets sync"] > 0
    ran = images(timeline)
    assert ran["apache/airflow:3.2.1"].startswith("docker.io/apache/airflow@sha256:")
    assert "registry.k8s.io/git-sync/git-sync:v4.4.2" in ran
