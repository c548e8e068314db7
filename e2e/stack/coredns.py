"""Make the repository's own host names resolve inside the cluster (CoreDNS `rewrite ... answer auto`).

Why rewrite: `ssh://git@git.example.com/...` and `https://vault.example.internal:8200` then reach the test
git server and Vault unchanged; `answer auto` rewrites the reply back so resolvers accept it. The lines are
marked with the run id so they can be removed exactly (existing clusters) and re-applied idempotently.
"""

from __future__ import annotations

from e2e.config import RunConfig
from e2e.stack.common import Obj

MARK = "# airflow-e2e"
ANNOTATION = "airflow-e2e.io/patched-by"

# kind's default Corefile (kubeadm): used by `plan`, which has no cluster to read the live one from.
KIND_DEFAULT_COREFILE = """\
.:53 {
    errors
    health {
       lameduck 5s
    }
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf {
       max_concurrent 1000
    }
    cache 30 {
       disable success cluster.local
       disable denial cluster.local
    }
    loop
    reload
    loadbalance
}
"""


def unpatch(corefile: str) -> str:
    return "".join(line for line in corefile.splitlines(keepends=True) if MARK not in line)


def patch(corefile: str, rewrites: dict[str, str], run_id: str) -> str:
    """Insert one rewrite per host right after the `.:53 {` line (rewrite must run before `kubernetes`)."""
    clean = unpatch(corefile)
    lines = clean.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.strip().startswith(".:53") and line.rstrip().endswith("{"):
            added = [f"    rewrite name exact {src} {dst} answer auto  {MARK} {run_id}\n"
                     for src, dst in sorted(rewrites.items())]
            return "".join(lines[: i + 1] + added + lines[i + 1 :])
    raise ValueError("Corefile has no `.:53 {` server block to add rewrites to")


def _config_map(data: dict[str, str], **metadata: object) -> Obj:
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "coredns", "namespace": "kube-system", **metadata}, "data": data}


def patched_config_map(live: Obj, rewrites: dict[str, str], config: RunConfig) -> Obj:
    """kube-system/coredns with rewrites added. Annotated, NOT labelled with the run id: the object is the
    cluster's, and label-based teardown must never delete it."""
    data = live.get("data") or {}
    return _config_map({**data, "Corefile": patch(data.get("Corefile") or "", rewrites, config.run_id)},
                       annotations={ANNOTATION: config.run_id})


def restored_config_map(live: Obj) -> Obj:
    """kube-system/coredns without the harness's lines; applied by the same field manager, its annotation goes too."""
    data = live.get("data") or {}
    return _config_map({**data, "Corefile": unpatch(data.get("Corefile") or "")})


def kind_default_config_map() -> Obj:
    return _config_map({"Corefile": KIND_DEFAULT_COREFILE})
