"""The in-cluster SSH git server holding the GitOps and DAG repositories as real commits.

Why our own server: Argo CD and git-sync clone over SSH with host key checking on, from the host names
the repository's URLs use (CoreDNS points them here). The host key is generated per run, fixed within it,
and is the only value swapped in the pushed repository (`dags.gitSync.knownHosts`).
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from e2e import versions
from e2e.config import RunConfig
from e2e.gitops.model import Repository
from e2e.stack import names
from e2e.stack.common import Obj, config_map, labelled, secret

NAME = "git-server"
SERVE_ROOT = "/srv/git"
APP_LABELS = {"app.kubernetes.io/name": NAME}

SSHD_CONFIG = """\
Port 22
HostKey /etc/ssh/keys/ssh_host_ed25519_key
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
AllowUsers git
AuthorizedKeysFile .ssh/authorized_keys
StrictModes yes
"""

# Built once on the host from the digest-pinned base (`docker build`, cached by content: the tag is a hash of
# this file), then loaded into kind, so the cluster needs no Alpine mirror. Alpine's APKBUILD for git moves
# git-shell (with git-daemon and git-http-backend) into the `git-daemon` subpackage, so it is installed
# explicitly and its path looked up; a missing login shell would make sshd refuse the git user.
# adduser -H: the home is the mounted emptyDir; busybox's -D leaves the password `!` (locked), which OpenSSH
# without PAM refuses even for keys, hence `*`. safe.directory: the URL paths are root-owned symlinks to the
# git-owned repositories, and git's ownership check must not refuse them.
DOCKERFILE = f"""\
FROM {versions.GIT_SERVER_BASE_IMAGE}
RUN apk add --no-cache openssh-server git git-daemon \\
 && GIT_SHELL="$(command -v git-shell || echo /usr/libexec/git-core/git-shell)" \\
 && test -x "$GIT_SHELL" \\
 && adduser -D -H -s "$GIT_SHELL" -h {SERVE_ROOT} git \\
 && sed -i 's/^git:!/git:*/' /etc/shadow \\
 && git config --system --add safe.directory '*'
"""
IMAGE_REPOSITORY = "localhost/airflow-e2e-git-server"


def image() -> str:
    """The local image's reference: its tag is a hash of the Dockerfile, so a cluster loads one build once."""
    import hashlib

    return f"{IMAGE_REPOSITORY}:{hashlib.sha256(DOCKERFILE.encode()).hexdigest()[:16]}"


def build_argv(context_dir: str) -> list[str]:
    return ["docker", "build", "--pull=false", "--tag", image(), context_dir]


# At container start: only files and repositories, no package manager (everything else is in the image).
START_SH = f"""\
set -eu
id git >/dev/null 2>&1 || {{ echo "git-server: the image has no git user (not built from DOCKERFILE)" >&2; exit 1; }}
install -d -m 0755 /etc/ssh/keys
install -m 0600 /keys/ssh_host_ed25519_key /etc/ssh/keys/ssh_host_ed25519_key
chmod 0755 {SERVE_ROOT}
install -d -o git -m 0700 {SERVE_ROOT}/.ssh
install -o git -m 0600 /keys/authorized_keys {SERVE_ROOT}/.ssh/authorized_keys
for repo in $REPOS; do
  mkdir -p "{SERVE_ROOT}$(dirname "$repo")" "$(dirname "$repo")"
  [ -d "{SERVE_ROOT}$repo" ] || git init -q --bare --initial-branch=main "{SERVE_ROOT}$repo"
  ln -sfn "{SERVE_ROOT}$repo" "$repo"
done
chown -R git:git {SERVE_ROOT}
exec /usr/sbin/sshd -D -e -f /config/sshd_config
"""


@dataclass(frozen=True)
class KeyPair:
    private_openssh: str
    public_line: str  # "ssh-ed25519 AAAA..."


def new_keypair() -> KeyPair:
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    return KeyPair(private if private.endswith("\n") else private + "\n", public.decode())


def service_fqdn(config: RunConfig) -> str:
    return f"{NAME}.{config.git_namespace}.svc.cluster.local"


def repo_paths(repo: Repository) -> list[str]:
    """Server paths of every repository the user's URLs name (GitOps sources and the DAG repo)."""
    return sorted({u.path for u in names.git_urls(repo)})


def service_ports(repo: Repository) -> list[int]:
    """The ports the Service listens on: 22 (the harness's port-forward) and every port the user's URLs name
    (`ssh://git@git.corp.internal:2222/...` reaches the Service on 2222 after the CoreDNS rewrite)."""
    return sorted({u.port for u in names.git_urls(repo)} | {22})


def manifests(config: RunConfig, repo: Repository, host_key: KeyPair, authorized: list[str]) -> list[Obj]:
    ns = config.git_namespace
    keys = secret(f"{NAME}-keys", ns, {
        "ssh_host_ed25519_key": host_key.private_openssh,
        "ssh_host_ed25519_key.pub": host_key.public_line + "\n",
        "authorized_keys": "".join(line.strip() + "\n" for line in authorized),
    }, config)
    cfg = config_map(f"{NAME}-config", ns, {"sshd_config": SSHD_CONFIG, "start.sh": START_SH}, config)
    deployment = labelled({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": NAME, "namespace": ns, "labels": dict(APP_LABELS)},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": dict(APP_LABELS)},
            "template": {
                "metadata": {"labels": {**APP_LABELS, **config.labels()}},
                "spec": {
                    "containers": [{
                        "name": "sshd",
                        "image": image(),
                        "imagePullPolicy": "Never",  # built and loaded by the run; never pulled
                        "command": ["/bin/sh", "/config/start.sh"],
                        "env": [{"name": "REPOS", "value": " ".join(repo_paths(repo))}],
                        "ports": [{"name": "ssh", "containerPort": 22}],
                        "readinessProbe": {"tcpSocket": {"port": 22}, "periodSeconds": 2},
                        "volumeMounts": [
                            {"name": "keys", "mountPath": "/keys", "readOnly": True},
                            {"name": "config", "mountPath": "/config", "readOnly": True},
                            {"name": "repos", "mountPath": SERVE_ROOT},
                        ],
                    }],
                    "volumes": [
                        {"name": "keys", "secret": {"secretName": f"{NAME}-keys", "defaultMode": 0o400}},
                        {"name": "config", "configMap": {"name": f"{NAME}-config"}},
                        {"name": "repos", "emptyDir": {}},
                    ],
                },
            },
        },
    }, config)
    service = labelled({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": NAME, "namespace": ns},
        "spec": {"selector": dict(APP_LABELS), "ports": [
            {"name": "ssh" if port == 22 else f"ssh-{port}", "port": port, "targetPort": 22}
            for port in service_ports(repo)]},
    }, config)
    return [keys, cfg, deployment, service]
