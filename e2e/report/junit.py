"""Verdicts for CI: pytest `record_property` entries, and a JUnit XML file of verdicts as test cases.

Why both: inside pytest the properties ride on the test's own JUnit entry (`--junitxml`); outside pytest
(`airflow-e2e report --junit`) a re-check of a saved timeline still gives CI one testcase per verdict, with the
deciding evidence as the failure message (what CI users ask for: the real error in the JUnit).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from e2e.checks.verdict import Verdict
from e2e.masking import Masker

MAX_PROPERTY = 500


def properties(verdicts: Sequence[Verdict], masker: Masker, durations: Mapping[str, float] | None = None,
               versions: Mapping[str, Any] | None = None) -> list[tuple[str, str]]:
    """(name, value) pairs: one per verdict ("PASS"/"FAIL: first evidence"), per duration, per version."""
    out = []
    for v in verdicts:
        value = "PASS" if v.ok else "FAIL: " + "; ".join(v.evidence[:3])
        out.append((f"verdict {masker.mask(v.name)}", masker.mask(value)[:MAX_PROPERTY]))
    out += [(f"duration {k}", f"{val:.1f}s") for k, val in (durations or {}).items()]
    out += [(f"version {k}", masker.mask(str(val))) for k, val in (versions or {}).items()]
    return out


def record(record_property: Callable[[str, object], None], verdicts: Sequence[Verdict], masker: Masker,
           **extra: Any) -> None:
    """Inside a pytest test: `record(record_property, verdicts, masker)`."""
    for name, value in properties(verdicts, masker, **extra):
        record_property(name, value)


def write_junit(path: Path | str, verdicts: Sequence[Verdict], masker: Masker, *, suite: str = "airflow-e2e checks",
                props: Sequence[tuple[str, str]] = ()) -> Path:
    failures = [v for v in verdicts if not v.ok]
    root = ET.Element("testsuites", tests=str(len(verdicts)), failures=str(len(failures)))
    element = ET.SubElement(root, "testsuite", name=suite, tests=str(len(verdicts)), failures=str(len(failures)),
                            errors="0", skipped="0")
    if props:
        prop_el = ET.SubElement(element, "properties")
        for name, value in props:
            ET.SubElement(prop_el, "property", name=masker.mask(name), value=masker.mask(value))
    for v in verdicts:
        case = ET.SubElement(element, "testcase", classname="airflow_e2e.checks", name=masker.mask(v.name))
        text = "\n".join(masker.mask(line) for line in v.evidence)
        if v.ok:
            ET.SubElement(case, "system-out").text = text
        else:
            first = masker.mask(v.evidence[0]) if v.evidence else "failed"
            ET.SubElement(case, "failure", message=first[:MAX_PROPERTY], type="CheckFailed").text = text
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(out, encoding="utf-8", xml_declaration=True)
    return out
