"""A stand-in RunningStack made of plain objects that RECORD what a step asks for (contract.py allows plain
objects with the same attributes for tests of pure logic). It answers reads from fixtures/gitops and from
scripted observations; it proves nothing about a cluster, only that steps and the runner use the contract."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from e2e.config import RunConfig
from e2e.gitops import load_repository
from e2e.masking import Masker

ROOT = Path(__file__).resolve().parents[3]
REFERENCE, VARIANT = ROOT / "fixtures" / "gitops", ROOT / "fixtures" / "variants" / "team-repo"


class RecordingGit:
    def __init__(self) -> None:
        self.files: dict[str, str | None] = {}
        self.commits: list[tuple[str, dict[str, str | None], str]] = []

    def read(self, repo: str, path: str, branch: str = "main") -> str | None:
        if path in self.files:
            return self.files[path]
        file = REFERENCE / path
        return file.read_text(encoding="utf-8") if file.is_file() else None

    def commit(self, repo: str, changes, message: str, branch: str = "main") -> str:
        self.commits.append((repo, dict(changes), message))
        self.files.update(changes)
        return f"{len(self.commits):040x}"


class RecordingVault:
    ca_pem = "-----BEGIN CERTIFICATE-----\nnew\n-----END CERTIFICATE-----\n"

    def __init__(self, payload: dict[str, Any]) -> None:
        self.payload = copy.deepcopy(payload)
        self.writes: list[dict[str, Any]] = []
        self.policies: list[tuple[str, str]] = []

    def read_payload(self, path: str = "airflow/config") -> dict[str, Any]:
        return copy.deepcopy(self.payload)

    def write_payload(self, payload, path: str = "airflow/config") -> None:
        self.payload = copy.deepcopy(dict(payload))
        self.writes.append(self.payload)

    def write_policy(self, name: str, text: str) -> None:
        self.policies.append((name, text))


class ScriptedKube:
    """`list` answers from the current scripted state; every kubectl call is recorded."""

    def __init__(self, states: list[dict[str, list[dict]]]) -> None:
        self.states, self.looks = states, 0
        self.calls: list[tuple[str, ...]] = []

    @property
    def index(self) -> int:
        """Each look at the stack (it starts by listing pods) sees the next scripted state; the last one stays."""
        return min(max(self.looks - 1, 0), len(self.states) - 1)

    def kubectl(self, *args: str, input_text: str | None = None) -> str:
        self.calls.append(args)
        return '[{"username": "admin", "roles": "Admin"}]' if "users" in args else ""

    def list(self, kind: str, namespace: str | None = None) -> list[dict]:
        if kind == "pods":
            self.looks += 1
        return copy.deepcopy(self.states[self.index].get(kind.split(".")[0], []))

    def get(self, kind: str, name: str, namespace: str | None = None):
        return next((o for o in self.list(kind.lower() + "s", namespace) if o["metadata"]["name"] == name), None)


class RecordingStack:
    def __init__(self, states: list[dict[str, list[dict]]] | None = None, payload: dict | None = None) -> None:
        self.config = RunConfig(run_id="unit")
        self.repo = load_repository(REFERENCE)
        self.payload = payload or {"createUserJob": {"defaultUser": {"username": "admin"}}, "fernetKey": "k" * 44}
        self.masker = Masker()
        self.kube = ScriptedKube(states or [{}])
        self.git = RecordingGit()
        self.vault = RecordingVault(self.payload)
        self.artifacts = Path("/nonexistent")
