#!/usr/bin/env bash
# `make e2e`: install the pinned tools, create the kind cluster and run `airflow-e2e test --tier cluster` on DIR.
# The main run is the mission checks (bring-up, ordering, secrets, jobs, git-sync, health), as the nightly's
# main job; the 16 recovery scenarios (and the chart upgrade, which leaves the stack on another chart) run only
# when asked, each in their own pytest run AFTER the main one: SCENARIOS=1 make e2e. Where a Docker engine or
# the registries are missing it stops at once with ONE sentence and exit 1: the cluster tier never pretends
# to have run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${AIRFLOW_E2E_PYTHON:-$ROOT/.venv/bin/python}"
DIR="${DIR:-fixtures/gitops}"

if ! command -v docker >/dev/null 2>&1; then
  echo "make e2e: the cluster tier needs a Docker engine, and no docker client is installed." >&2; exit 1
fi
if ! reason="$(docker info --format '{{.ServerVersion}}' 2>&1)"; then
  echo "make e2e: the cluster tier needs a Docker engine, and \`docker info\` failed: $(echo "$reason" | tail -n1)" >&2
  exit 1
fi
probe() {  # the HTTP code of a URL, or 000 when unreachable; "skip" when curl is not installed
  if ! command -v curl >/dev/null 2>&1; then echo skip; return; fi
  curl -s --connect-timeout 10 -o /dev/null -w '%{http_code}' "$1" 2>/dev/null || true
}
registry_code="$(probe https://registry-1.docker.io/v2/)"
: "${registry_code:=000}"
if [ "$registry_code" = "000" ] && [ -z "${AIRFLOW_E2E_REGISTRY_MIRROR:-}" ]; then
  echo "make e2e: the cluster tier needs container registries, and registry-1.docker.io is unreachable (set AIRFLOW_E2E_REGISTRY_MIRROR to use a mirror)." >&2
  exit 1
fi

# The git server image is built once on this host from the pinned Alpine base (docs/cluster.md): its
# `docker build` adds openssh-server and git with apk, here, never inside the cluster.
alpine_code="$(probe https://dl-cdn.alpinelinux.org/alpine/v3.22/main/)"
if [ "${alpine_code:-000}" = "000" ]; then
  echo "make e2e: the git server image is built on this host with apk, and dl-cdn.alpinelinux.org is unreachable." >&2
  exit 1
fi

[ "${1:-}" = "--check-only" ] && exit 0

[ -n "${AIRFLOW_E2E_TOOLS_INSTALLED:-}" ] || bash scripts/install-tools.sh
export PATH="$ROOT/.bin:$PATH"
# `airflow-e2e test --tier cluster` (through this venv's python: AIRFLOW_E2E_PYTHON is the tests' seam)
common=("$DIR" --tier cluster --keep-cluster "${KEEP_CLUSTER:-on-failure}")
[ -z "${AIRFLOW_E2E_REGISTRY_MIRROR:-}" ] || common+=(--registry-mirror "$AIRFLOW_E2E_REGISTRY_MIRROR")
extra=()
for arg in ${PYTEST_ARGS:-}; do extra+=("--pytest-arg=$arg"); done
"$PY" -m e2e.cli test "${common[@]}" --pytest-arg=-m "--pytest-arg=cluster and not recovery and not upgrade" \
  "${extra[@]}"
if [ -n "${SCENARIOS:-}" ]; then
  "$PY" -m e2e.cli test "${common[@]}" --artifacts artifacts/scenarios --pytest-arg=-m --pytest-arg=recovery \
    "${extra[@]}"
fi
