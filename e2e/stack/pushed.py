"""The GitOps repository as pushed to the test git server: identical files, except `dags.gitSync.knownHosts`
(the test server's key replaces the real one, which preflight checks separately).
"""

from __future__ import annotations

from pathlib import Path

from e2e.gitops.model import Repository, get_path
from e2e.gitops.roundtrip import dump, load_all
from e2e.gitops.yamlio import dump_yaml, load_documents, plain
from e2e.install import installs
from e2e.safe_files import read_text, walk
from e2e.stack import names
from e2e.stack.argocd import known_hosts_line


def repository_files(root: Path) -> dict[str, str]:
    """Every regular file of a directory (relative posix path -> text), hidden paths excluded; never a link
    out of it, a FIFO or a device (e2e.safe_files: preflight reports those as `file-not-read`)."""
    return {path.relative_to(root).as_posix(): read_text(path, root=root, shown_as=path.relative_to(root).as_posix())
            for path in walk(root).files}


def known_hosts_files(repo: Repository) -> list[str]:
    """Values files of Airflow installs that set dags.gitSync.knownHosts."""
    found: list[str] = []
    for inst in installs(repo):
        for vf in inst.values_files:
            data = vf.data.get(inst.values_key) if inst.values_key else vf.data
            if get_path(data, "dags.gitSync.knownHosts") is not None and vf.path not in found:
                found.append(vf.path)
    return found


def with_test_known_hosts(repo: Repository, files: dict[str, str], host_public_key: str) -> dict[str, str]:
    """`files` with dags.gitSync.knownHosts set to the test git server's key. It re-parses each values text on
    purpose: it must edit the text as the earlier transforms left it, not the model's original document."""
    dags = names.dags_url(repo)
    if dags is None:
        return dict(files)
    line = known_hosts_line(dags.host, dags.port, host_public_key) + "\n"
    out = dict(files)
    for rel in known_hosts_files(repo):
        # the document the model read (and Helm reads): the first non-empty one; a stray `---` around it is
        # no second document (install.shape_problems refuses a real second one before this runs)
        data = plain(load_documents(out[rel], rel)[0][1])
        for inst in installs(repo):
            if inst.values_key and isinstance(data.get(inst.values_key), dict):
                data[inst.values_key]["dags"]["gitSync"]["knownHosts"] = line
                break
        else:
            data["dags"]["gitSync"]["knownHosts"] = line
        out[rel] = ("# airflow-e2e: dags.gitSync.knownHosts replaced by this run's test git server key\n"
                    + dump_yaml(data))
    return out


def set_chart_version(text: str, app: str, version: str, chart: str | None = None) -> str | None:
    """This file text with the chart source(s) of Application `app` (those of `chart`, or every chart source)
    at `version`, the rest of the file as it was; None when the file has no such Application with such a
    source. The one writer of a chart's targetRevision: the bring-up pin and the upgrade pull request."""
    docs = load_all(text)
    found = next((d for d in docs if isinstance(d, dict) and d.get("kind") == "Application"
                  and (d.get("metadata") or {}).get("name") == app), None)
    spec = (found or {}).get("spec") or {}
    sources = list(spec.get("sources") or []) + ([spec["source"]] if spec.get("source") else [])
    charts = [s for s in sources if isinstance(s, dict) and s.get("chart") and chart in (None, s.get("chart"))]
    if not charts:
        return None
    for source in charts:
        source["targetRevision"] = version
    return dump(docs, like=text)


def with_chart_version(repo: Repository, files: dict[str, str], chart: str, version: str) -> dict[str, str]:
    """Point every Application source of `chart` at `version` (pre-upgrade validation of a candidate chart);
    files whose sources already say so are left byte-identical."""
    out = dict(files)
    for app in repo.applications:
        if not [s for s in app.chart_sources if s.chart == chart and s.target_revision != version]:
            continue
        rel, header = app.obj.origin.file, _PINNED.format(chart=chart, version=version)
        changed = set_chart_version(out[rel], app.name, version, chart)
        if changed is not None:
            out[rel] = changed if changed.startswith(header) else header + changed
    return out


_PINNED = "# airflow-e2e: chart {chart} set to {version} for this run\n"
