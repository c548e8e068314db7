"""Sweep selection over Namespace and Node objects shaped as `kubectl get ... -o json` returns them."""

from __future__ import annotations

import pytest

from e2e.ci.sweep import cluster_decisions, expired, namespace_decisions, parse_expiry, parse_now
from e2e.cli import main
from e2e.cluster.providers import expiry_value
from e2e.commands import sweep as sweep_command
from e2e.config import CREATED_BY, CREATED_BY_LABEL, EXPIRES_LABEL, RUN_ID_LABEL

pytestmark = pytest.mark.unit

NOW = 1_795_500_000.0  # 2026-11-24T06:00:00Z


def namespace(name, labels, phase="Active", deleting=False):
    meta = {"name": name, "uid": "0b7c1e2a-5d1f-4c1e-9a53-6f2b1c9d1e11", "resourceVersion": "4211",
            "creationTimestamp": "2026-11-23T21:00:00Z",
            "labels": {"kubernetes.io/metadata.name": name, **labels}}
    if deleting:
        meta["deletionTimestamp"] = "2026-11-24T01:00:00Z"
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": meta,
            "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": phase}}


def node(name, labels):
    return {"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
                                                  "node-role.kubernetes.io/control-plane": "", **labels}},
            "status": {"conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady"}]}}


def ours(expires, run="e2e-2611232100-ab12"):
    labels = {CREATED_BY_LABEL: CREATED_BY, RUN_ID_LABEL: run}
    if expires is not None:
        labels[EXPIRES_LABEL] = str(expires)
    return labels


def test_expired_namespace_of_ours_is_selected():
    picked = expired(namespace_decisions([namespace("airflow", ours(int(NOW) - 1))], NOW))
    assert [(d.kind, d.name, d.run_id) for d in picked] == [("namespace", "airflow", "e2e-2611232100-ab12")]


def test_namespace_expiring_later_is_kept():
    decisions = namespace_decisions([namespace("vault", ours(int(NOW) + 3600))], NOW)
    assert not decisions[0].expired and "expires at" in decisions[0].reason


def test_namespace_not_created_by_the_harness_is_never_touched():
    foreign = namespace("team-a", {EXPIRES_LABEL: str(int(NOW) - 10)})
    assert namespace_decisions([foreign, namespace("kube-system", {})], NOW) == []


def test_namespace_without_or_with_unreadable_expiry_is_kept():
    decisions = namespace_decisions([namespace("a", ours(None)), namespace("b", ours("2026-11-24T00-00-00Z"))], NOW)
    assert [d.expired for d in decisions] == [False, False]
    assert "no expiry label" in decisions[0].reason and "unreadable" in decisions[1].reason


def test_terminating_namespace_is_left_to_finish():
    assert namespace_decisions([namespace("argocd", ours(1), phase="Terminating", deleting=True)], NOW) == []


def test_kind_cluster_with_expired_node_label_is_selected():
    clusters = {"airflow-e2e": [node("airflow-e2e-control-plane", ours(int(NOW) - 60))],
                "airflow-e2e-fresh": [node("airflow-e2e-fresh-control-plane", ours(int(NOW) + 60))],
                "someone-elses": [node("someone-elses-control-plane", {})]}
    decisions = cluster_decisions(clusters, NOW)
    assert [(d.name, d.expired) for d in decisions] == [("airflow-e2e", True), ("airflow-e2e-fresh", False)]


def test_cluster_expires_at_its_earliest_node_label():
    nodes = [node("c-control-plane", ours(int(NOW) + 600)), node("c-worker", ours(int(NOW) - 600)),
             node("c-worker2", ours(None))]
    assert expired(cluster_decisions({"c": nodes}, NOW))[0].name == "c"


def test_the_label_the_cluster_tier_writes_is_the_one_sweep_reads():
    value = expiry_value(NOW, 24)
    assert value.isdigit() and len(value) <= 63 and parse_expiry(value) == int(NOW) + 86_400


def test_kind_node_with_only_the_run_id_label_counts_as_ours():
    labels = {RUN_ID_LABEL: "e2e-2611232100-ab12", EXPIRES_LABEL: str(int(NOW) - 1)}
    assert expired(cluster_decisions({"airflow-e2e": [node("airflow-e2e-control-plane", labels)]}, NOW))


@pytest.mark.parametrize("text", ["1795500000", "2026-11-24T06:00:00Z", "2026-11-24T07:00:00+01:00"])
def test_now_reads_epoch_seconds_and_rfc3339(text):
    assert parse_now(text) == NOW


def test_sweep_without_kubectl_says_so_in_one_line(monkeypatch, capsys):
    monkeypatch.setattr(sweep_command.tools, "find", lambda name: None)
    assert main(["sweep", "--dry-run"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "kubectl not found" in err[0]


def test_sweep_rejects_an_unreadable_now(capsys):
    assert main(["sweep", "--now", "next tuesday"]) == 2
    assert "--now" in capsys.readouterr().err


STAND_IN = """#!/usr/bin/env bash
echo "$(basename "$0") $*" >> "{log}"
case "$(basename "$0") $*" in
  "kind get clusters") printf 'airflow-e2e\\nairflow-e2e-fresh\\n' ;;
  "kind get kubeconfig --name airflow-e2e") echo "apiVersion: v1  # old" ;;
  "kind get kubeconfig --name airflow-e2e-fresh") echo "apiVersion: v1  # fresh" ;;
  kubectl*get\\ nodes*) if grep -q old "$2"; then cat "{old}"; else cat "{fresh}"; fi ;;
  kubectl*get\\ namespaces*) cat "{namespaces}" ;;
esac
"""


def test_sweep_command_deletes_exactly_the_expired_with_stand_in_kind_and_kubectl(tmp_path, monkeypatch, capsys):
    """kind and kubectl replaced by scripts printing the JSON the real tools print; checks the calls made."""
    import json

    log = tmp_path / "calls.log"
    files = {"old": [node("airflow-e2e-control-plane", ours(int(NOW) - 5))],
             "fresh": [node("airflow-e2e-fresh-control-plane", ours(int(NOW) + 5))],
             "namespaces": [namespace("airflow", ours(int(NOW) - 5)), namespace("vault", ours(int(NOW) + 5))]}
    paths = {}
    for key, items in files.items():
        paths[key] = tmp_path / f"{key}.json"
        paths[key].write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": items}))
    for tool in ("kind", "kubectl"):
        script = tmp_path / tool
        script.write_text(STAND_IN.format(log=log, **paths))
        script.chmod(0o755)
    monkeypatch.setattr(sweep_command.tools, "find", lambda name: str(tmp_path / name))
    assert main(["sweep", "--now", str(int(NOW))]) == 0
    out = capsys.readouterr().out
    assert "deleting cluster airflow-e2e (run e2e-2611232100-ab12): expired" in out
    assert "keeping cluster airflow-e2e-fresh" in out and "keeping namespace vault" in out
    calls = log.read_text().splitlines()
    assert "kind delete cluster --name airflow-e2e" in calls
    assert "kubectl delete namespace airflow --wait=false" in calls
    assert not [c for c in calls if "delete" in c and ("fresh" in c or "vault" in c)]


@pytest.mark.parametrize("answer", ["", "Unable to connect to the server: EOF", "[" * 50_000, '{"items": 5}',
                                    '{"items": [1]}', '{"items": [{"metadata": {"labels": {"a": 1}}}]}',
                                    '{"items": [{"metadata": {"name": 7}}]}', '{"items": [{"status": "x"}]}',
                                    '{"items": [{"metadata": {"labels": {"x": ' + "9" * 5000 + "}}}]}"])
def test_sweep_says_which_listing_it_cannot_read_when_kubectl_prints_what_no_list_looks_like(answer, monkeypatch,
                                                                                              capsys):
    monkeypatch.setattr(sweep_command.tools, "find", lambda name: name)
    monkeypatch.setattr(sweep_command, "_call", lambda argv: "c1\n" if "clusters" in argv else answer)
    assert main(["sweep", "--dry-run"]) == 1
    err = capsys.readouterr().err
    assert "cannot list namespaces" in err and "cluster c1: cannot read its nodes" in err and "Traceback" not in err


@pytest.mark.parametrize("text", ["9" * 400, "9" * 5000])
def test_sweep_refuses_a_now_out_of_range_in_one_line(text, monkeypatch, capsys):
    monkeypatch.setattr(sweep_command.tools, "find", lambda name: None)  # refused before any tool is looked for
    assert main(["sweep", "--now", text]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--now" in err[0] and "out of range" in err[0]


def test_a_failing_kubectl_is_one_line_naming_the_call_and_its_last_stderr_line(tmp_path, monkeypatch, capsys):
    script = tmp_path / "kubectl"
    script.write_text("#!/bin/sh\necho 'E1202 noise' >&2\n"
                      "echo 'The connection to the server was refused' >&2\nexit 1\n")
    script.chmod(0o755)
    monkeypatch.setattr(sweep_command.tools, "find", lambda name: str(script) if name == "kubectl" else None)
    assert main(["sweep", "--dry-run", "--no-clusters"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["airflow-e2e sweep: cannot list namespaces: kubectl get namespaces: "
                   "The connection to the server was refused"]
