"""Kubernetes and controller objects as the API returns them (`kubectl get -o json` items), for the pure
scenario predicates. Shapes follow the real APIs: Pod status, ExternalSecret conditions (ESO v1), core/v1
Events, Argo CD Application status, batch/v1 Job status. Messages are the exact ones FAILURES.md and FACTS.md
quote.
"""

from __future__ import annotations

import base64
from typing import Any

T0 = "2026-11-23T21:00:00Z"
NS = "airflow"


def meta(name: str, namespace: str | None = NS, uid: str | None = None, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"name": name, "uid": uid or f"uid-{name}", "creationTimestamp": T0}
    if namespace:
        out["namespace"] = namespace
    out.update(extra)
    return out


def container(name: str, *, waiting: tuple[str, str] | None = None, running: bool = False,
              terminated: tuple[str, int] | None = None, last_exit: int | None = None, restarts: int = 0,
              ready: bool = False, image: str = "apache/airflow:3.2.1") -> dict[str, Any]:
    state: dict[str, Any] = {}
    if waiting:
        state["waiting"] = {"reason": waiting[0], "message": waiting[1]} if waiting[1] else {"reason": waiting[0]}
    if running:
        state["running"] = {"startedAt": T0}
    if terminated:
        state["terminated"] = {"reason": terminated[0], "exitCode": terminated[1], "startedAt": T0, "finishedAt": T0}
    status: dict[str, Any] = {"name": name, "state": state, "ready": ready, "restartCount": restarts, "image": image,
                              "imageID": "", "started": running}
    if last_exit is not None:
        status["lastState"] = {"terminated": {"reason": "Error", "exitCode": last_exit, "startedAt": T0,
                                              "finishedAt": T0}}
    return status


def pod(name: str, component: str, *, phase: str = "Running", ready: bool = True, uid: str | None = None,
        init: list[dict] | None = None, containers: list[dict] | None = None, deleting: bool = False,
        image: str = "apache/airflow:3.2.1") -> dict[str, Any]:
    main = containers if containers is not None else [container(component, running=ready, ready=ready, image=image)]
    m = meta(name, uid=uid, labels={"tier": "airflow", "component": component, "release": "airflow"},
             ownerReferences=[{"kind": "ReplicaSet", "name": f"airflow-{component}-5d9f", "controller": True}])
    if deleting:
        m["deletionTimestamp"] = T0
    return {
        "apiVersion": "v1", "kind": "Pod", "metadata": m,
        "spec": {"containers": [{"name": c["name"], "image": c.get("image", image)} for c in main]},
        "status": {
            "phase": phase,
            "conditions": [{"type": "Initialized", "status": "True"},
                           {"type": "Ready", "status": "True" if ready else "False", "lastTransitionTime": T0},
                           {"type": "ContainersReady", "status": "True" if ready else "False"},
                           {"type": "PodScheduled", "status": "True"}],
            "initContainerStatuses": init or [],
            "containerStatuses": main,
        },
    }


def waiting_on_secret(name: str, component: str, secret: str = "airflow-fernet-key", uid: str | None = None):
    """A pod the kubelet cannot start: CreateContainerConfigError, `secret "..." not found`."""
    return pod(name, component, phase="Pending", ready=False, uid=uid, containers=[
        container(component, waiting=("CreateContainerConfigError", f'secret "{secret}" not found'))])


def external_secret(name: str, *, ready: bool = True, reason: str | None = None,
                    message: str | None = None) -> dict[str, Any]:
    cond = {"type": "Ready", "status": "True" if ready else "False",
            "reason": reason or ("SecretSynced" if ready else "SecretSyncedError"),
            "message": message or ("secret synced" if ready else "could not get secret data from provider"),
            "lastTransitionTime": T0}
    return {"apiVersion": "external-secrets.io/v1", "kind": "ExternalSecret", "metadata": meta(name),
            "spec": {"target": {"name": name, "creationPolicy": "Owner", "deletionPolicy": "Retain"}},
            "status": {"conditions": [cond], "refreshTime": T0, "syncedResourceVersion": "1-abc"}}


def store(ready: bool = True, message: str | None = None) -> dict[str, Any]:
    return {"apiVersion": "external-secrets.io/v1", "kind": "ClusterSecretStore",
            "metadata": meta("vault-airflow", namespace=None),
            "status": {"capabilities": "ReadWrite", "conditions": [{
                "type": "Ready", "status": "True" if ready else "False",
                "reason": "Valid" if ready else "InvalidProviderConfig",
                "message": message or ("store validated" if ready else "unable to log in to provider"),
                "lastTransitionTime": T0}]}}


def event(reason: str, message: str, *, kind: str, name: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Event", "metadata": meta(f"{name}.1879a"),
            "involvedObject": {"kind": kind, "name": name, "namespace": NS},
            "reason": reason, "message": message, "type": "Warning", "count": 3,
            "firstTimestamp": T0, "lastTimestamp": T0, "source": {"component": ""}}


def application(name: str, *, sync: str = "Synced", health: str = "Healthy", conditions: list[dict] | None = None,
                started: str | None = None, finished: str | None = None, phase: str = "Succeeded",
                uid: str | None = None, revisions: list[str] | None = None) -> dict[str, Any]:
    status: dict[str, Any] = {"sync": {"status": sync}, "health": {"status": health}}
    if revisions:
        status["sync"]["revisions"] = revisions
    if conditions:
        status["conditions"] = conditions
    if started:
        status["operationState"] = {"phase": phase, "message": "successfully synced (all tasks run)",
                                    "startedAt": started, "finishedAt": finished, "syncResult": {"resources": []}}
    return {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": meta(name, "argocd", uid=uid),
            "status": status}


def job(name: str, state: str = "Complete", *, uid: str | None = None, failed: int = 0) -> dict[str, Any]:
    status: dict[str, Any] = {"startTime": T0}
    if state == "Complete":
        status |= {"succeeded": 1, "completionTime": T0,
                   "conditions": [{"type": "Complete", "status": "True", "lastTransitionTime": T0}]}
    elif state == "Failed":
        status |= {"failed": failed or 7, "conditions": [
            {"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded",
             "message": "Job has reached the specified backoff limit", "lastTransitionTime": T0}]}
    else:
        status |= {"active": 1, "failed": failed}
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": meta(name, uid=uid), "status": status}


def secret(name: str, data: dict[str, str], *, uid: str | None = None) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
            "metadata": meta(name, uid=uid, labels={"reconcile.external-secrets.io/managed": "true"},
                             ownerReferences=[{"kind": "ExternalSecret", "name": name, "controller": True}]),
            "data": {k: base64.b64encode(v.encode()).decode() for k, v in data.items()}}
