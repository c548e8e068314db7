"""The harness's side of the test git server: push, read and commit over SSH with the host key verified.

Implements e2e.contract.GitRemote. The server is reached through a kubectl port-forward, but ssh checks
the key under the repository's host name (HostKeyAlias), with StrictHostKeyChecking=yes: the same check
Argo CD and git-sync make in the cluster.
"""

from __future__ import annotations

import shlex
import tempfile
from collections.abc import Mapping
from pathlib import Path

from e2e.cluster import tools
from e2e.cluster.kube import KubeClient
from e2e.config import RunConfig
from e2e.gitops.model import Repository
from e2e.stack import gitserver, names
from e2e.stack.gitserver import KeyPair

AUTHOR = {"GIT_AUTHOR_NAME": "airflow-e2e", "GIT_AUTHOR_EMAIL": "airflow-e2e@example.invalid",
          "GIT_COMMITTER_NAME": "airflow-e2e", "GIT_COMMITTER_EMAIL": "airflow-e2e@example.invalid"}


def ssh_command(key_file: Path, known_hosts: Path, host_alias: str, port: int) -> str:
    """The GIT_SSH_COMMAND: host key checked (StrictHostKeyChecking=yes, always), only our key offered."""
    return " ".join(shlex.quote(p) for p in [
        "ssh", "-i", str(key_file), "-o", "IdentitiesOnly=yes", "-o", "StrictHostKeyChecking=yes",
        "-o", f"UserKnownHostsFile={known_hosts}", "-o", f"HostKeyAlias={host_alias}", "-o", "BatchMode=yes",
        "-p", str(port)])


def repo_path(repo: Repository, name: str) -> str:
    """`gitops` / `dags` -> the server path their URLs name; a path starting with `/` is used as is."""
    if name.startswith("/"):
        return name
    if name == "gitops":
        urls = names.gitops_urls(repo)
        if urls:
            return urls[0].path
    if name == "dags":
        dags = names.dags_url(repo)
        if dags:
            return dags.path
    raise ValueError(f"unknown repository {name!r}: use `gitops`, `dags` or a server path")


def initial_pushes(repo: Repository, repo_files: dict[str, str], dags_files: dict[str, str]) -> list[
        tuple[str, dict[str, str]]]:
    """(server path, files) for every repository the run serves: each GitOps URL gets the GitOps files."""
    pushes = [(u.path, repo_files) for u in names.gitops_urls(repo)]
    dags = names.dags_url(repo)
    if dags and dags_files:
        pushes.append((dags.path, dags_files))
    return pushes


class GitServerRemote:
    def __init__(self, kube: KubeClient, config: RunConfig, repo: Repository, host_public_key: str,
                 deploy_key: KeyPair, workdir: Path) -> None:
        self.kube, self.config, self.repo = kube, config, repo
        hosts = names.git_hosts(repo)
        if not hosts:
            raise ValueError("the repository names no SSH git host (no ssh:// or git@ URL): nothing to serve")
        self.host = hosts[0]
        self.host_public_key = host_public_key
        self.workdir = workdir
        self.user = "git"  # the user the repository URLs name (ssh://git@...)
        self._key = tools.write_private(workdir / "deploy_key", deploy_key.private_openssh)
        self._known = workdir / "known_hosts"
        self._known.write_text(f"{self.host} {host_public_key.strip()}\n", encoding="utf-8")

    def _git(self, port: int, *args: str, cwd: Path | None = None) -> str:
        env = {**AUTHOR, "GIT_SSH_COMMAND": ssh_command(self._key, self._known, self.host, port)}
        argv = ["git", *(["-C", str(cwd)] if cwd else []), *args]
        return tools.run(argv, env=env, timeout=120, masker=self.kube.masker).stdout

    def _forward(self):
        """A port-forward to the git server's SSH port (the context manager yields the local port)."""
        return self.kube.port_forward(self.config.git_namespace, f"svc/{gitserver.NAME}", 22)

    def _url(self, port: int, path: str) -> str:
        return f"ssh://{self.user}@127.0.0.1:{port}{path}"

    def push_tree(self, path: str, files: Mapping[str, str], message: str, branch: str = "main") -> str:
        """Replace the branch's tree with `files` (one commit on top of what is there, or the first commit)."""
        with self._forward() as port, tempfile.TemporaryDirectory(dir=self.workdir) as tmp:
            work = Path(tmp) / "w"
            self._git(port, "init", "-q", "--initial-branch", branch, str(work))
            self._git(port, "remote", "add", "origin", self._url(port, path), cwd=work)
            if self._git(port, "ls-remote", "--heads", "origin", branch, cwd=work).strip():
                self._git(port, "fetch", "-q", "origin", branch, cwd=work)
                self._git(port, "reset", "-q", "--soft", "FETCH_HEAD", cwd=work)
            for rel, text in files.items():
                target = work / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
            self._git(port, "add", "-A", cwd=work)
            return self._push(port, work, message, branch)

    def head(self, repo: str, branch: str = "main") -> str:
        path = repo_path(self.repo, repo)
        with self._forward() as port:
            out = self._git(port, "ls-remote", self._url(port, path), f"refs/heads/{branch}")
        return out.split()[0] if out.strip() else ""

    def _push(self, port: int, work: Path, message: str, branch: str) -> str:
        """Commit what is staged (an empty commit too: each change is one commit) and push it; its sha."""
        self._git(port, "commit", "-q", "--allow-empty", "-m", message, cwd=work)
        self._git(port, "push", "-q", "origin", f"HEAD:refs/heads/{branch}", cwd=work)
        return self._git(port, "rev-parse", "HEAD", cwd=work).strip()

    def _checkout(self, port: int, path: str, branch: str, work: Path) -> None:
        self._git(port, "clone", "-q", "--branch", branch, self._url(port, path), str(work))

    def read(self, repo: str, path: str, branch: str = "main") -> str | None:
        server_path = repo_path(self.repo, repo)
        with self._forward() as port, tempfile.TemporaryDirectory(dir=self.workdir) as tmp:
            work = Path(tmp) / "w"
            self._checkout(port, server_path, branch, work)
            target = work / path
            return target.read_text(encoding="utf-8") if target.is_file() else None

    def commit(self, repo: str, changes: Mapping[str, str | None], message: str, branch: str = "main") -> str:
        server_path = repo_path(self.repo, repo)
        with self._forward() as port, tempfile.TemporaryDirectory(dir=self.workdir) as tmp:
            work = Path(tmp) / "w"
            self._checkout(port, server_path, branch, work)
            for rel, text in changes.items():
                target = work / rel
                if text is None:
                    if target.exists():
                        self._git(port, "rm", "-q", rel, cwd=work)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
                self._git(port, "add", rel, cwd=work)
            return self._push(port, work, message, branch)
