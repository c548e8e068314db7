#!/usr/bin/env bash
# Install the Debian packages the component tier runs for real (PostgreSQL, Redis, OpenSSH server and client,
# git), Chromium for the report's rendering test, and Go with the Go source packages the ESO-template
# differential test builds its oracle from offline (sigs.k8s.io/yaml, gopkg.in/yaml.v2, Sprig), only when
# something is missing. Safe to run again.
# As root it uses apt-get directly (a fresh container or VM); otherwise passwordless sudo, else it prints the
# one command to run. Every failure is ONE line on stderr and exit 1; apt's own output goes to a log file.
set -uo pipefail

need=()
pg_bin() { ls /usr/lib/postgresql/*/bin/"$1" >/dev/null 2>&1; }
have() { command -v "$1" >/dev/null 2>&1; }
{ pg_bin initdb && pg_bin pg_ctl && pg_bin pg_isready; } || need+=(postgresql)
have psql || pg_bin psql || need+=(postgresql-client)
have redis-server || need+=(redis-server)
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
{ have ssh && have ssh-keygen; } || need+=(openssh-client)
{ have git && { have git-shell || [ -x /usr/lib/git-core/git-shell ]; }; } || need+=(git)
have chromium || have chromium-browser || need+=(chromium)
gocode=/usr/share/gocode/src
have go || need+=(golang-go)
[ -d "$gocode/sigs.k8s.io/yaml" ] || need+=(golang-k8s-sigs-yaml-dev)
[ -d "$gocode/gopkg.in/yaml.v2" ] || need+=(golang-gopkg-yaml.v2-dev)
[ -d "$gocode/github.com/Masterminds/sprig" ] || need+=(golang-github-masterminds-sprig-dev)

if [ ${#need[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi
if ! have apt-get; then
  echo "system packages: missing ${need[*]} and no apt-get here; install them with your package manager" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if have sudo && sudo -n true 2>/dev/null; then sudo="sudo -n"; else
    echo "system packages: missing ${need[*]}; run as root or: sudo apt-get install ${need[*]}" >&2
    exit 1
  fi
fi
log="$(mktemp -t airflow-e2e-apt.XXXXXX.log)"
echo "system packages: installing ${need[*]} (apt-get; log: $log)"
if ! $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$log" 2>&1; then
  echo "system packages: apt-get update failed: $(grep -m1 -E '^(E|W):' "$log" || tail -n1 "$log") (log: $log)" >&2
  exit 1
fi
if ! $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" \
    >>"$log" 2>&1; then
  echo "system packages: apt-get install ${need[*]} failed: $(grep -m1 '^E:' "$log" || tail -n1 "$log") (log: $log)" >&2
  exit 1
fi
echo "system packages: done"
