"""The report as headless Chromium renders it: the DOM after rendering has the lanes, rows and verdicts.

Needs Debian's chromium (scripts/install-system-packages.sh installs it); skipped without it on a laptop,
never in CI (CI=true): there a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from e2e.checks.expect import Expectations
from e2e.checks.suite import timeline_checks
from e2e.observe.timeline import Timeline
from e2e.report.html import write_report

pytestmark = pytest.mark.browser
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars"]


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.environ.get("CI") == "true":
        pytest.fail("chromium is not installed (scripts/install-system-packages.sh installs it)")
    pytest.skip("chromium is not installed: run scripts/install-system-packages.sh")


def run_chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / "profile"
    return subprocess.run([chromium(), *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True,
                          text=True, timeout=180, check=True)


class Dom(HTMLParser):
    """Every start tag with its attributes."""

    def __init__(self):
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, {k: v or "" for k, v in attrs}))

    def classes(self, tag: str, cls: str) -> list[dict[str, str]]:
        return [a for t, a in self.elements if t == tag and cls in a.get("class", "").split()]


def parse(html_text: str) -> Dom:
    dom = Dom()
    dom.feed(html_text)
    return dom


def recorded(runs, repo, variant: str) -> tuple[Timeline, list]:
    """A recorded run's timeline and the verdicts of the timeline checks on it."""
    timeline = Timeline.load(runs.HERE / f"{variant}.json")
    return timeline, timeline_checks(timeline, Expectations.from_repository(repo, timeline.metadata["airflow"]))


def rendered(tmp_path, runs, repo, masker, variant) -> Dom:
    timeline, verdicts = recorded(runs, repo, variant)
    page = write_report(tmp_path / f"{variant}.html", timeline, verdicts, masker, title=variant)
    return parse(run_chromium(tmp_path, "--dump-dom", page.as_uri()).stdout)


def test_rendered_report_draws_one_lane_per_controller_and_a_row_per_object(tmp_path, runs, repo, masker):
    dom = rendered(tmp_path, runs, repo, masker, "good-run")
    lanes = [a["data-lane"] for a in dom.classes("g", "lane")]
    assert lanes == ["argocd", "eso", "secrets", "jobs", "pods", "events"]
    rows = dom.classes("g", "row")
    assert sum(1 for r in rows if r["data-lane"] == "secrets") == 9
    assert sum(1 for r in rows if r["data-lane"] == "jobs") == 2
    assert len(dom.classes("circle", "mark")) > 100
    assert len(dom.classes("tr", "verdict")) == 7 and not dom.classes("tr", "fail")


def test_rendered_failing_report_shows_failed_verdicts_and_bad_marks(tmp_path, runs, repo, masker):
    dom = rendered(tmp_path, runs, repo, masker, "secrets-late")
    assert len(dom.classes("tr", "fail")) == 2
    assert dom.classes("circle", "bad")
    assert {a["data-lane"] for a in dom.classes("g", "lane")} >= {"argocd", "eso", "pods"}


def test_screenshot_of_the_report_is_produced(tmp_path, runs, repo, masker):
    page = write_report(tmp_path / "late.html", *recorded(runs, repo, "secrets-late"), masker)
    shot = tmp_path / "late.png"
    run_chromium(tmp_path, "--window-size=1280,1800", f"--screenshot={shot}", page.as_uri())
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 50_000
