"""What a running stack offers to checks, tests and scenarios: the seams between the cluster tier's parts.

Why Protocols: the observation, checks, scenarios and CI code are written against these shapes, and the
cluster tier implements them; tests of pure logic can pass plain objects that have the same attributes.
Every change a test or scenario makes goes through e2e/stack/operator.Operator, which acts through these
as an operator would: a git commit, a Vault write, or a kubectl/API action.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

from e2e.config import RunConfig
from e2e.gitops.model import Repository
from e2e.masking import Masker


class Kube(Protocol):
    """Kubernetes access: typed clients from the `kubernetes` package plus a kubectl escape hatch."""

    core: Any  # kubernetes.client.CoreV1Api
    apps: Any  # kubernetes.client.AppsV1Api
    batch: Any  # kubernetes.client.BatchV1Api
    custom: Any  # kubernetes.client.CustomObjectsApi

    def kubectl(self, *args: str, input_text: str | None = None) -> str: ...

    def get(self, kind: str, name: str, namespace: str | None = None) -> dict[str, Any] | None:
        """One object as a plain dict (the API's JSON shape), or None when absent."""
        ...

    def list(self, kind: str, namespace: str | None = None) -> list[dict[str, Any]]: ...


class GitRemote(Protocol):
    """The in-cluster SSH git server holding the GitOps and DAG repositories as real commits."""

    host: str  # e.g. git.example.com: the name the repository's URLs use
    host_public_key: str  # "ssh-ed25519 AAAA...": this run's host key, fixed within the run

    def head(self, repo: str, branch: str = "main") -> str: ...

    def read(self, repo: str, path: str, branch: str = "main") -> str | None: ...

    def commit(self, repo: str, changes: Mapping[str, str | None], message: str, branch: str = "main") -> str:
        """Write (str) or delete (None) files and push one commit; returns its sha."""
        ...


class VaultAdmin(Protocol):
    """Vault (dev mode, TLS) seen by the harness through hvac with the run's CA."""

    ca_pem: str

    def write_payload(self, payload: Mapping[str, Any], path: str | None = None) -> None: ...

    def read_payload(self, path: str | None = None) -> dict[str, Any]: ...

    def write_policy(self, name: str, text: str) -> None: ...

    def seed(self, repo: Repository, payload: Mapping[str, Any]) -> None:
        """Idempotent: policies and roles from vault/, kubernetes auth, the payload."""
        ...

    def health(self) -> dict[str, Any]: ...


class RunningStack(Protocol):
    """Everything up: both Applications applied through the root Application and synced."""

    config: RunConfig
    repo: Repository  # the GitOps repository as pushed (knownHosts swapped for the test server's key)
    payload: dict[str, Any]
    masker: Masker
    kube: Kube
    git: GitRemote
    vault: VaultAdmin
    artifacts: Path
