"""Sort a failed test by cause: infrastructure, a dependency not ready yet, or the product.

Why: a nightly run on shared runners fails for reasons that say nothing about the deployment (a registry rate
limit, DNS, kind not starting). Those, and only those, deserve one rerun; a product failure must stay red at
once. The decision is a pure function of the failure text (pytest's longrepr) and the phase it happened in,
so it is tested on the real messages each tool prints.

Rules are tried in order; the first match wins:
1. infrastructure: the machine or the network failed (image pull, rate limit, DNS, cluster creation, Docker).
2. product: a terminal state of the stack under test (SecretSyncedError, host key rejected, Job failed...),
   even when it surfaced through a wait that later timed out.
3. dependency-not-ready: a component the test needs was not up yet (webhook, connection refused while
   bringing up, a wait for readiness that timed out).
4. anything else is a product failure (an assertion): never retried.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

FailureClass = Literal["infrastructure", "dependency-not-ready", "product"]
INFRASTRUCTURE: FailureClass = "infrastructure"
DEPENDENCY_NOT_READY: FailureClass = "dependency-not-ready"
PRODUCT: FailureClass = "product"

# pytest's phases: "setup" (fixtures: the cluster bring-up), "call" (the test body), "teardown".
ALL_PHASES = ("setup", "call", "teardown")


@dataclass(frozen=True)
class Rule:
    name: str
    failure_class: FailureClass
    pattern: re.Pattern[str]
    phases: frozenset[str]


@dataclass(frozen=True)
class Classification:
    failure_class: FailureClass
    rule: str  # which rule matched ("assertion" when none did)


def _rule(name: str, cls: FailureClass, regex: str, phases: tuple[str, ...] = ALL_PHASES) -> Rule:
    return Rule(name, cls, re.compile(regex, re.IGNORECASE), frozenset(phases))


RULES: tuple[Rule, ...] = (
    # --- infrastructure --------------------------------------------------------------------------------------
    _rule("rate-limit", INFRASTRUCTURE,
          r"toomanyrequests|429 Too Many Requests|\b429\b.{0,40}(rate|limit|request)|pull rate limit|"
          r"rate limit exceeded|API rate limit"),
    _rule("image-pull", INFRASTRUCTURE,
          r"ErrImagePull|ImagePullBackOff|Back-off pulling image|failed to pull and unpack image|"
          r"Failed to pull image|failed to pull image|manifest unknown|unexpected status from HEAD request"),
    _rule("dns", INFRASTRUCTURE,
          r"no such host|Temporary failure in name resolution|server misbehaving|"
          r"Could not resolve host|getaddrinfo (EAI_AGAIN|ENOTFOUND)"),
    _rule("cluster-creation", INFRASTRUCTURE,
          r"failed to create cluster|failed to init node with kubeadm|could not find a log line that matches|"
          r"failed to get api server endpoint|kind: command failed.*create cluster"),
    _rule("docker-daemon", INFRASTRUCTURE,
          r"Cannot connect to the Docker daemon|Is the docker daemon running|"
          r"error during connect:.*docker|docker\.sock: connect: (no such file|permission denied|connection refused)"),
    _rule("node-not-ready", INFRASTRUCTURE,
          r"NodeNotReady|KubeletNotReady|node [\"']?[\w.-]+[\"']? (is )?not ready|nodes? (are |is )?not ready|"
          r"Kubelet stopped posting node status|no space left on device|"
          r"(node|nodes) had untolerated taint.*node\.kubernetes\.io/(not-ready|unreachable|disk-pressure)"),
    _rule("registry-tls", INFRASTRUCTURE, r"net/http: TLS handshake timeout"),
    # --- product: terminal states of the stack under test ----------------------------------------------------
    _rule("secret-sync-error", PRODUCT, r"SecretSyncedError|map has no entry for key"),
    _rule("host-key", PRODUCT,
          r"Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED|No \w+ host key is known"),
    _rule("ssh-key-format", PRODUCT, r"Load key .*: invalid format|error in libcrypto"),
    _rule("job-failed", PRODUCT,
          r"BackoffLimitExceeded|Job has reached the specified backoff limit|\bJob [\w./-]+ failed|Job failed"),
    _rule("vault-denied", PRODUCT, r"Code: 403|permission denied|Vault is sealed"),
    _rule("fernet", PRODUCT, r"InvalidToken|Fernet key must be 32 url-safe base64-encoded bytes"),
    _rule("immutable", PRODUCT, r"field is immutable"),
    _rule("argocd-operation", PRODUCT, r"ComparisonError|OperationFailed|SyncFailed"),
    _rule("unapplied-migrations", PRODUCT, r"There are still unapplied migrations"),
    _rule("create-container-config", PRODUCT, r"CreateContainerConfigError"),
    # --- dependency not ready ------------------------------------------------------------------------------------
    _rule("webhook-not-ready", DEPENDENCY_NOT_READY,
          r"failed calling webhook|no endpoints available for service|service unavailable.*webhook"),
    _rule("connection-refused-during-bring-up", DEPENDENCY_NOT_READY,
          r"connection refused|ECONNREFUSED|Connection reset by peer|EOF occurred in violation of protocol",
          ("setup",)),
    _rule("timeout-during-bring-up", DEPENDENCY_NOT_READY,
          r"timed out|timeout|deadline exceeded|did not become (ready|available)", ("setup",)),
    _rule("waiting-for-readiness", DEPENDENCY_NOT_READY,
          r"(timed out|timeout|deadline).{0,200}(not ready|to be ready|to become ready|Available|rollout)|"
          r"exceeded its progress deadline|rollout status.{0,80}timed out|"
          r"(not ready|to be ready|to become ready).{0,200}(timed out|timeout|deadline)"),
)

FALLBACK_RULE = "assertion"


def classify(longrepr: str, phase: str = "call") -> Classification:
    """The failure class of one failed test report. Pure: same text and phase, same answer."""
    text = longrepr or ""
    for rule in RULES:
        if phase in rule.phases and rule.pattern.search(text):
            return Classification(rule.failure_class, rule.name)
    return Classification(PRODUCT, FALLBACK_RULE)
