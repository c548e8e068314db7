"""Render a Report as text or JSON, always through the Masker (no payload value can reach the output)."""

from __future__ import annotations

import json

from e2e.masking import Masker
from e2e.preflight.engine import Report


def to_json(report: Report, masker: Masker) -> str:
    data = {"findings": [f.as_dict() for f in report.findings], "summary": report.summary()}
    return json.dumps(masker.mask_data(data), indent=2, ensure_ascii=False)


def to_text(report: Report, masker: Masker) -> str:
    lines = []
    for f in report.findings:
        where = f"{f.file}:{f.line}" if f.line else f.file
        lines.append(f"{f.severity.upper()} {f.rule} {where} {f.object}: {f.message} (hint: {f.hint})")
    s = report.summary()
    lines.append(f"preflight: {s['error']} error(s), {s['warning']} warning(s), {s['info']} info; "
                 f"{s['rules_run']} rules over {s['files_read']} files in {s['duration_ms']} ms")
    return "\n".join(masker.mask(line) for line in lines)
