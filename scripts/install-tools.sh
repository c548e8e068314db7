#!/usr/bin/env bash
# Install the pinned kind, kubectl and helm into .bin/, each verified against the sha256 in e2e/versions.py.
# Idempotent: a binary already installed with the pinned checksum is kept. Never installs an unverified
# binary: a platform without a pinned checksum, a failed download or a checksum mismatch stops with ONE
# sentence and a non-zero exit.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="${AIRFLOW_E2E_BIN:-$ROOT/.bin}"
PY="${PYTHON:-$ROOT/.venv/bin/python}"
[ -x "$PY" ] || PY="$(command -v python3)"
TOOLS="${*:-kind kubectl helm}"

case "${AIRFLOW_E2E_PLATFORM:-$(uname -s)-$(uname -m)}" in
  linux-amd64|linux-arm64|darwin-amd64|darwin-arm64) PLATFORM="$AIRFLOW_E2E_PLATFORM" ;;
  Linux-x86_64) PLATFORM=linux-amd64 ;;
  Linux-aarch64|Linux-arm64) PLATFORM=linux-arm64 ;;
  Darwin-x86_64) PLATFORM=darwin-amd64 ;;
  Darwin-arm64) PLATFORM=darwin-arm64 ;;
  *) echo "install-tools: unsupported platform $(uname -s)-$(uname -m)." >&2; exit 1 ;;
esac

pinned() {  # pinned <tool> -> "version url sha256" or nothing
  (cd "$ROOT" && PYTHONPATH="$ROOT" "$PY" -c '
import sys
from e2e.versions import tool_for
t = tool_for(sys.argv[1], sys.argv[2])
print(f"{t.version} {t.url} {t.sha256}" if t else "")' "$1" "$PLATFORM")
}

sha_of() { sha256sum "$1" 2>/dev/null | cut -d' ' -f1 || shasum -a 256 "$1" | cut -d' ' -f1; }

mkdir -p "$BIN"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

for tool in $TOOLS; do
  read -r version url sha <<<"$(pinned "$tool")" || true
  if [ -z "${sha:-}" ]; then
    echo "install-tools: refusing to install $tool: no verified sha256 is pinned for $PLATFORM in e2e/versions.py." >&2
    exit 1
  fi
  marker="$BIN/.$tool.sha256"
  # the marker holds "<asset sha256> <installed binary sha256>": both must still match to skip
  if [ -x "$BIN/$tool" ] && [ -f "$marker" ] && [ "$(cat "$marker")" = "$sha $(sha_of "$BIN/$tool")" ]; then
    echo "install-tools: $tool $version already installed (sha256 verified)"
    continue
  fi
  asset="$TMP/$(basename "$url")"
  if ! curl -fsSL --retry 2 --connect-timeout 15 -o "$asset" "$url" 2>/dev/null; then
    echo "install-tools: cannot download $tool $version from $url (offline or blocked network)." >&2
    exit 1
  fi
  got="$(sha_of "$asset")"
  if [ "$got" != "$sha" ]; then
    echo "install-tools: refusing $tool $version: sha256 $got does not match the pinned $sha." >&2
    exit 1
  fi
  case "$asset" in
    *.tar.gz) tar -xzf "$asset" -C "$TMP" && install -m 0755 "$TMP/$PLATFORM/$tool" "$BIN/$tool" ;;
    *) install -m 0755 "$asset" "$BIN/$tool" ;;
  esac
  echo "$sha $(sha_of "$BIN/$tool")" >"$marker"
  echo "install-tools: installed $tool $version into .bin/ (sha256 verified)"
done
