"""One cluster session from start to teardown, shared by the pytest fixtures and `airflow-e2e up`.

Why one object: the fixtures chain it phase by phase (cluster, then the recorder starts, then the stack),
`up` runs it at once, and both get the same keep/teardown/Ctrl-C behaviour from the providers' decisions.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from e2e.cluster import bringup, diagnostics, providers, tools
from e2e.cluster import plan as plan_mod
from e2e.config import RunConfig

CLUSTER_PHASES = {"cluster", "images"}


class Session:
    def __init__(self, config: RunConfig, run_secrets: plan_mod.RunSecrets | None = None) -> None:
        self.config = config
        self.plan, self.material, self.repo = plan_mod.prepare(config, run_secrets)
        self.masker = self.material.masker()
        self.progress = bringup.Progress(self.masker)
        self.run = bringup.LiveRun(config, self.plan, self.material, self.repo, self.masker, self.progress)
        self.handlers = self.run.handlers()
        self.stack: bringup.LiveStack | None = None

    @property
    def workdir(self) -> Path:
        return self.run.workdir

    def save_state(self) -> Path:
        """Everything `down`/`status`/`collect` need later, 0600, outside artifacts/ (CI uploads artifacts)."""
        state = {"config": self.config.to_json(), "created_cluster": self.run.provider.created,
                 "kubeconfig": str(getattr(self.run.provider, "kubeconfig", "") or ""),
                 "context": self.run.provider.context}
        tools.write_private(self.workdir / "state.json", json.dumps(state, indent=2))
        tools.write_private(self.workdir / "secrets.yaml", yaml.safe_dump({
            "payload": self.material.payload, "vault_token": self.material.vault_token,
            "host_key": [self.material.host_key.private_openssh, self.material.host_key.public_line],
            "deploy_key": [self.material.deploy_key.private_openssh, self.material.deploy_key.public_line]}))
        (self.workdir.parent / "last").write_text(self.config.run_id + "\n", encoding="utf-8")
        return self.workdir

    def start_cluster(self) -> None:
        self.save_state()
        self._guarded(CLUSTER_PHASES)
        self.save_state()

    def bring_up(self) -> bringup.LiveStack:
        rest = {p.name for p in self.plan.phases} - CLUSTER_PHASES
        self._guarded(rest)
        self.stack = bringup.stack_of(self.run)
        return self.stack

    def _guarded(self, phases: set[str]) -> None:
        try:
            bringup.execute(self.plan, self.handlers, self.progress, only=phases)
        except KeyboardInterrupt:
            keep = self.config.keep_cluster == "always"
            self.progress.say("interrupted: keeping (--keep-cluster always)" if keep
                              else "interrupted: tearing down what this run started")
            self.apply_teardown(providers.interrupted_decision(self.config.keep_cluster, self.run.provider.created))
            raise

    def collect(self, out: Path) -> list[Path]:
        return diagnostics.collect_run(self.run.k(), self.config, out, self.masker)

    def finish(self, failed: bool) -> providers.Teardown:
        decision = providers.teardown_decision(self.config.keep_cluster, failed, self.run.provider.created)
        if failed and isinstance(self.run.provider, providers.KindProvider):
            self.run.provider.export_logs(self.config.artifacts_dir / self.config.run_id / "kind-logs")
        self.apply_teardown(decision)
        return decision

    def apply_teardown(self, decision: providers.Teardown) -> None:
        if decision.mark_expiry and self.run.kube is not None:
            self.run.provider.mark_expiry(self.run.kube)
            self.progress.say(f"kept: run {self.config.run_id}; expiry label set ({self.config.keep_hours:g}h)")
        if decision.delete_run_objects and self.run.kube is not None:
            providers.delete_run_objects(self.run.kube, self.config)
            self.progress.say("deleted this run's labelled objects")
        if decision.delete_cluster and isinstance(self.run.provider, providers.KindProvider):
            self.run.provider.delete()
            self.progress.say(f"deleted kind cluster {self.config.cluster_name}")


def last_run_id() -> str | None:
    marker = bringup.STATE_ROOT / "last"
    return marker.read_text(encoding="utf-8").strip() if marker.is_file() else None


class SavedRun:
    """A run saved by `up`, reopened by `down`, `status` and `collect` (0600 state under .cache/airflow-e2e/)."""

    def __init__(self, run_id: str | None) -> None:
        from e2e.errors import UnusableInput
        from e2e.masking import Masker, secret_values

        rid = run_id or last_run_id()
        if not rid:
            raise UnusableInput("no run recorded: start one with `airflow-e2e up`, or pass --run-id")
        self.workdir = bringup.STATE_ROOT / rid
        from e2e.gitops.yamlio import safe_load
        from e2e.safe_files import read_text

        try:
            state = json.loads(read_text(self.workdir / "state.json"))
            saved = safe_load(read_text(self.workdir / "secrets.yaml"), "secrets.yaml") or {}
        except (UnusableInput, ValueError, RecursionError):
            raise UnusableInput(f"run {rid}: no usable saved state in {self.workdir}") from None
        if not isinstance(state, dict) or not isinstance(state.get("config"), dict) or not isinstance(saved, dict):
            raise UnusableInput(f"run {rid}: the saved state in {self.workdir} is incomplete (no config)")
        try:
            self.config = RunConfig.from_json(state["config"])
        except (TypeError, ValueError, UnusableInput) as exc:
            raise UnusableInput(f"run {rid}: the saved run config is not usable ({str(exc)[:120]})") from None
        self.created_cluster = bool(state.get("created_cluster"))
        self.kubeconfig = Path(state["kubeconfig"]) if state.get("kubeconfig") else None
        self.context = state.get("context")
        values = [*secret_values(saved.get("payload") or {}), str(saved.get("vault_token") or "")]
        values += [str((saved.get(k) or [""])[0]) for k in ("host_key", "deploy_key")]
        self.masker = Masker(v for v in values if v)

    def kube(self):
        from e2e.cluster.kube import KubeClient
        from e2e.errors import UnusableInput

        if self.kubeconfig is not None and not self.kubeconfig.is_file():
            raise UnusableInput(f"{self.kubeconfig}: the run's kubeconfig is gone (cluster deleted by hand?)")
        return KubeClient(self.kubeconfig, self.context, self.masker)
