"""The HTML report and JUnit output, rendered from the recorded timeline fixtures (plain files, no browser)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from test_report_browser import parse, recorded

from e2e.checks.verdict import Verdict
from e2e.cli import main
from e2e.observe.timeline import Event, Timeline
from e2e.report import junit
from e2e.report.html import render_report
from e2e.report.picture import classify


def test_report_is_self_contained(runs, repo, masker):
    timeline, verdicts = recorded(runs, repo, "good-run")
    tags = parse(render_report(timeline, verdicts, masker)).elements
    for tag, attrs in tags:
        assert tag not in ("script", "link", "img", "iframe", "object"), tag
        for name in ("src", "href", "xmlns", "action"):
            assert name not in attrs, (tag, name)
    assert sum(1 for tag, a in tags if tag == "g" and "lane" in a.get("class", "").split()) == 6


def test_failing_run_marks_failed_verdicts_and_the_bad_transitions(runs, repo, masker):
    timeline, verdicts = recorded(runs, repo, "secrets-late")
    html_text = render_report(timeline, verdicts, masker)
    rows = [a["class"] for tag, a in parse(html_text).elements if tag == "tr" and "verdict" in a.get("class", "")]
    assert rows.count("verdict fail") == 2 and rows.count("verdict pass") == 5
    assert 'class="mark bad"' in html_text
    assert "FAILED" in html_text


def test_every_text_is_masked_and_escaped(masker, example_payload):
    password = example_payload["createUserJob"]["defaultUser"]["password"]
    event = Event(1.0, "pods", "Pod", "airflow", "airflow-worker-0", "waiting CreateContainerConfigError",
                  {"message": f"<b>login {password} refused</b>", "container": "worker", "observed": True})
    verdict = Verdict("login <works>", False, [f"tried {password}"])
    html_text = render_report(Timeline(events=[event]), [verdict], masker)
    assert password not in html_text
    assert "<b>login" not in html_text and "&lt;b&gt;login" in html_text
    assert masker.leaks(html_text) == []


def test_marks_are_coloured_by_what_happened():
    def mark(what):
        return classify(Event(0, "pods", "Pod", "airflow", "p", what))
    assert mark("waiting CreateContainerConfigError") == "bad"
    assert mark("condition Ready=True") == "ok"
    assert mark("terminated Completed exit 0") == "ok"
    assert mark("terminated Error exit 1") == "bad"
    assert mark("phase Pending") == "info"


def test_junit_has_one_testcase_per_verdict_with_the_deciding_evidence(tmp_path, runs, repo, masker):
    _timeline, verdicts = recorded(runs, repo, "secrets-late")
    path = junit.write_junit(tmp_path / "checks.xml", verdicts, masker, props=[("version chart", "1.21.0")])
    root = ET.parse(path).getroot()
    suite = root.find("testsuite")
    assert suite.get("tests") == "7" and suite.get("failures") == "2"
    failures = [c.find("failure") for c in suite.findall("testcase") if c.find("failure") is not None]
    assert any(f.get("message").startswith("airflow began syncing") for f in failures)
    assert suite.find("properties/property").get("name") == "version chart"


def test_record_property_entries_for_pytest(masker):
    recorded = []
    junit.record(lambda name, value: recorded.append((name, value)),
                 [Verdict("a", True, ["x"]), Verdict("b", False, ["why it failed", "more"])], masker,
                 durations={"airflow sync": 61.0})
    assert recorded == [("verdict a", "PASS"), ("verdict b", "FAIL: why it failed; more"),
                        ("duration airflow sync", "61.0s")]


def test_report_command_exit_codes(tmp_path, runs, capsys):
    good = main(["report", str(runs.HERE / "good-run.json"), "--out", str(tmp_path / "good.html")])
    late = main(["report", str(runs.HERE / "secrets-late.json"), "--out", str(tmp_path / "late.html"),
                 "--junit", str(tmp_path / "late.xml")])
    assert (good, late) == (0, 1)
    assert (tmp_path / "good.html").stat().st_size > 10_000 and (tmp_path / "late.xml").exists()
    out = capsys.readouterr().out
    assert "7 of 7 checks passed" in out and "5 of 7 checks passed" in out


def test_report_command_bad_input_is_one_line_exit_2(tmp_path, capsys):
    (tmp_path / "not.json").write_text("{broken")
    (tmp_path / "other.json").write_text('{"events": "no"}')
    assert main(["report", str(tmp_path / "missing.json")]) == 2
    assert main(["report", str(tmp_path / "not.json")]) == 2
    assert main(["report", str(tmp_path / "other.json")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 3 and all(re.match(r"airflow-e2e report: error: ", line) for line in err)
    assert "Traceback" not in "".join(err)
