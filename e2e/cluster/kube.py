"""Kubernetes access for the harness: typed clients, kubectl, server-side apply, and port-forwards.

Implements e2e.contract.Kube. `get`/`list` return the API's JSON shape as plain dicts (through
kubectl -o json, which knows every kind, CRDs included), so checks and diagnostics read real objects.
"""

from __future__ import annotations

import json
import re
import subprocess
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from e2e.cluster import tools
from e2e.masking import Masker

FIELD_MANAGER = "airflow-e2e"
# kubectl's server-side apply as every run applies (the plan prints it, KubeClient.apply runs it)
SERVER_SIDE_APPLY = ("apply", "--server-side", "--force-conflicts", f"--field-manager={FIELD_MANAGER}")
FORWARDING = re.compile(r"Forwarding from 127\.0\.0\.1:(\d+) ->")


def apply_batches(objects: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """CRDs first (they must be established before their kinds), then Namespaces, then everything else."""
    crds = [o for o in objects if o.get("kind") == "CustomResourceDefinition"]
    namespaces = [o for o in objects if o.get("kind") == "Namespace"]
    rest = [o for o in objects if o.get("kind") not in ("CustomResourceDefinition", "Namespace")]
    return [batch for batch in (crds, namespaces, rest) if batch]


def without_test_hooks(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drop `helm test` hook objects a chart renders (they are not part of an install)."""
    def is_test(o: dict[str, Any]) -> bool:
        hook = ((o.get("metadata") or {}).get("annotations") or {}).get("helm.sh/hook", "")
        return "test" in hook.split(",")
    return [o for o in objects if isinstance(o, dict) and o.get("kind") and not is_test(o)]


class KubeClient:
    def __init__(self, kubeconfig: Path | None, context: str | None, masker: Masker) -> None:
        from kubernetes import client, config

        self.kubeconfig, self.context, self.masker = kubeconfig, context, masker
        api = config.new_client_from_config(config_file=str(kubeconfig) if kubeconfig else None, context=context)
        self.core = client.CoreV1Api(api)
        self.apps = client.AppsV1Api(api)
        self.batch = client.BatchV1Api(api)
        self.custom = client.CustomObjectsApi(api)

    def _base(self) -> list[str]:
        return tools.kubectl_base(self.kubeconfig, self.context)

    def kubectl(self, *args: str, input_text: str | None = None, timeout: float = 300) -> str:
        return tools.run([*self._base(), *args], input_text=input_text, masker=self.masker, timeout=timeout).stdout

    def get(self, kind: str, name: str, namespace: str | None = None) -> dict[str, Any] | None:
        ns = ["-n", namespace] if namespace else []
        result = tools.run([*self._base(), "get", kind, name, *ns, "-o", "json", "--ignore-not-found"],
                           masker=self.masker, timeout=60)
        return json.loads(result.stdout) if result.stdout.strip() else None

    def list(self, kind: str, namespace: str | None = None, selector: str | None = None) -> list[dict[str, Any]]:
        ns = ["-n", namespace] if namespace else ["--all-namespaces"]
        sel = ["-l", selector] if selector else []
        out = self.kubectl("get", kind, *ns, *sel, "-o", "json", timeout=60)
        return list(json.loads(out).get("items") or [])

    def apply(self, objects: list[dict[str, Any]], timeout: float = 180) -> None:
        """Server-side apply in dependency batches; CRDs are waited on until Established."""
        for batch in apply_batches(objects):
            text = yaml.safe_dump_all(batch, sort_keys=False)
            self.kubectl(*SERVER_SIDE_APPLY, "-f", "-", input_text=text, timeout=timeout)
            crds = [o["metadata"]["name"] for o in batch if o.get("kind") == "CustomResourceDefinition"]
            if crds:
                self.wait_established(crds, timeout)

    def wait_established(self, crds: Iterable[str], timeout: float, grace: float = 10) -> None:
        """`kubectl wait` until the CRDs are Established (their kinds can be applied); kubectl gets `grace` more."""
        self.kubectl("wait", "--for=condition=Established", f"--timeout={int(timeout)}s", *[f"crd/{c}" for c in crds],
                     timeout=timeout + grace)

    @contextmanager
    def port_forward(self, namespace: str, target: str, remote_port: int, timeout: float = 60) -> Iterator[int]:
        """`kubectl port-forward` on a free local port; yields the port once kubectl says it is forwarding."""
        argv = [tools.require("kubectl"), *self._base()[1:], "-n", namespace, "port-forward", target,
                f":{remote_port}"]
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        found: list[int] = []
        ready = threading.Event()

        def read() -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                match = FORWARDING.search(line)
                if match and not found:
                    found.append(int(match.group(1)))
                    ready.set()
            ready.set()

        threading.Thread(target=read, daemon=True).start()
        started = time.monotonic()
        try:
            if not ready.wait(timeout) or not found:
                raise tools.ToolError(f"port-forward to {namespace}/{target}:{remote_port} did not start within "
                                      f"{time.monotonic() - started:.0f}s")
            yield found[0]
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
