"""known_hosts read and matched the way OpenSSH does (`ssh-keygen -F`, and ssh itself when it connects).

Why one owner: preflight ("does a line name the repo's host?") and the component tier ("point the lines ssh
would use at the local server") must agree with ssh, or one tier passes what the other (or ssh) refuses.
What ssh does, measured here with OpenSSH 9.2 and pinned by a differential test against `ssh-keygen -F`:
- the name looked up is `host` on port 22 and `[host]:port` otherwise; `[host]:22` is NOT used for port 22;
  off port 22, when no line names `[host]:port`, ssh retries the bare `host` and accepts a line there whose
  key matches exactly (`ssh -v`: "checking without port identifier", "found matching key w/out port");
- a host field is a comma list of patterns (`*`, `?`; brackets are literal), matched case-insensitively;
  a `!pattern` that matches takes the whole line out; a `|1|salt|hash` field is HMAC-SHA1 of the name;
- `@revoked` revokes its key for the names it matches, `@cert-authority` names a CA (it verifies host
  certificates only, never a plain host key), any other `@marker` makes ssh skip the line;
- a line whose key does not parse (a `<placeholder>`, bad base64) is skipped silently.
No library does all of this (paramiko's HostKeys compares names literally and skips markers).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from dataclasses import dataclass, field

from e2e.gitops.hclcache import cache_dir
from e2e.install import parse_git_url

MARKERS = {"@revoked", "@cert-authority"}
_PLACEHOLDER = re.compile(r"<[^<>]*>")


@dataclass(frozen=True)
class Entry:
    number: int  # 0-based line inside the text
    marker: str | None
    hosts: list[str]
    key: str  # "type base64" (no comment); "" when the line has none
    valid: bool
    problem: str  # why ssh skips the line (never the key itself)


@dataclass
class Lookup:
    """What ssh finds for one name: the host keys it would accept, and the lines that name it otherwise."""

    name: str
    host_keys: list[Entry] = field(default_factory=list)  # plain lines whose key is not revoked
    revoked: list[Entry] = field(default_factory=list)
    cert_authorities: list[Entry] = field(default_factory=list)
    revoked_only: list[Entry] = field(default_factory=list)  # plain lines whose key a @revoked line revokes
    without_port: bool = False  # the host keys name the bare host (ssh's fallback off port 22)

    @property
    def verifies(self) -> bool:
        return bool(self.host_keys)


def ssh_endpoint(repo: str) -> tuple[str, int] | None:
    """(host, port) of an SSH git URL (e2e.install.parse_git_url, the one parser); None for other schemes."""
    parsed = parse_git_url(repo)
    return (parsed.host, parsed.port) if parsed else None


def target(host: str, port: int | None) -> str:
    """The name ssh looks up: `host` on port 22, `[host]:port` on any other."""
    return host.lower() if port in (None, 22) else f"[{host.lower()}]:{port}"


def parse(text: str) -> list[Entry]:
    entries = []
    for number, raw in enumerate(text.splitlines()):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        fields = line.split()
        marker = fields.pop(0) if fields and fields[0].startswith("@") else None
        hosts = fields[0].split(",") if fields else []
        key = " ".join(fields[1:3]) if len(fields) >= 3 else ""
        problem = ""
        if marker is not None and marker not in MARKERS:
            problem = f"has the unknown marker {marker!r}"
        elif len(fields) < 3:
            problem = "has no host, key type and key fields"
        elif _PLACEHOLDER.search(line):
            problem = "is a placeholder (<...>), not a host key"
        elif not key_parses(key):
            problem = f"has a {fields[1]!r} key that does not parse"
        entries.append(Entry(number, marker, hosts, key if not problem else "", not problem, problem))
    return entries


def key_parses(key: str) -> bool:
    """`type base64` parses as an SSH public key (cryptography's load_ssh_public_key). The verdict is kept in the
    user cache by the key's sha256: importing cryptography costs more than `import yaml` itself, and a linter
    run on an unchanged knownHosts should not pay it (issue 14 point 7). An unwritable cache is ignored."""
    digest = hashlib.sha256(key.encode()).hexdigest()
    folder = cache_dir() / "ssh-public-keys" / digest[:2]
    for verdict in (True, False):
        if (folder / f"{digest}.{'ok' if verdict else 'bad'}").is_file():
            return verdict
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives.serialization import load_ssh_public_key

    try:
        load_ssh_public_key(key.encode())
        parses = True
    except (ValueError, UnsupportedAlgorithm, binascii.Error, IndexError):
        parses = False
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{digest}.{'ok' if parses else 'bad'}").touch()
    except OSError:
        pass
    return parses


def pattern_matches(pattern: str, name: str) -> bool:
    """One host pattern against a name: hashed `|1|salt|hash`, or `*`/`?` wildcards, case-insensitive."""
    if pattern.startswith("|1|"):
        try:
            _, _, salt, digest = pattern.split("|", 3)
            mac = hmac.new(base64.b64decode(salt, validate=True), name.encode(), hashlib.sha1).digest()
            return hmac.compare_digest(base64.b64encode(mac).decode(), digest)
        except (ValueError, binascii.Error):
            return False
    regex = re.escape(pattern.lower()).replace(r"\*", ".*").replace(r"\?", ".")
    return re.fullmatch(regex, name.lower(), re.S) is not None


def names(entry: Entry, name: str) -> bool:
    """Does the line's host field name `name`? A matching `!pattern` takes the line out."""
    if any(h.startswith("!") and pattern_matches(h[1:], name) for h in entry.hosts):
        return False
    return any(not h.startswith("!") and pattern_matches(h, name) for h in entry.hosts)


def matching(text: str, name: str) -> list[Entry]:
    """The valid lines that name `name`, in file order (what `ssh-keygen -F name` lists)."""
    return [e for e in parse(text) if e.valid and names(e, name)]


def lookup(text: str, host: str, port: int | None) -> Lookup:
    """What ssh connecting to host:port finds in this known_hosts text (with its bare-host fallback)."""
    found = Lookup(target(host, port))
    lines = matching(text, found.name)
    bare = matching(text, host.lower()) if found.name != host.lower() else []
    if not any(e.marker is None for e in lines) and any(e.marker is None for e in bare):
        found.without_port = True  # each name's own @revoked lines apply to it
        lines = [*lines, *(e for e in bare if e.marker != "@cert-authority" and e not in lines)]
    revoked_keys = {e.key for e in lines if e.marker == "@revoked"}
    for entry in lines:
        if entry.marker == "@revoked":
            found.revoked.append(entry)
        elif entry.marker == "@cert-authority":
            found.cert_authorities.append(entry)
        elif entry.key in revoked_keys:
            found.revoked_only.append(entry)
        else:
            found.host_keys.append(entry)
    return found


def why_unverified(found: Lookup, entries: list[Entry]) -> str:
    """One line: why ssh would not verify `found.name` with these lines (empty when it would)."""
    if found.verifies:
        return ""
    if found.revoked_only:
        return f"every key knownHosts has for {found.name} is also @revoked"
    if found.cert_authorities:
        return (f"only a @cert-authority line names {found.name}: it verifies host certificates, not a plain "
                "host key")
    plain = sorted({h for e in entries if e.valid and e.marker is None for h in e.hosts if not h.startswith("|1|")})
    hashed = any(h.startswith("|1|") for e in entries for h in e.hosts)
    has = ", ".join(plain) + (" and hashed entries" if hashed and plain else "hashed entries" if hashed else "")
    why = f"no knownHosts line names {found.name}" + (f" (it has keys for {has})" if has else "")
    if any(h.lower().startswith(f"[{found.name}]:22") for h in plain):
        why += f"; ssh looks up port 22 as plain {found.name}, never [host]:22"
    return why


def rewrite_for(text: str, host: str, port: int | None, server_name: str, server_key: str) -> tuple[str, Lookup]:
    """The lines ssh would use for host:port, pointed at a stand-in server (name and key); lines that do not
    name host:port are dropped, so they can neither verify nor spoil the stand-in (ssh never reads them for
    the real host). Keys revoked for the host stay revoked: a revoked copy of the used key revokes the stand-in.
    """
    found = lookup(text, host, port)
    used = {e.key for e in found.host_keys} | {e.key for e in found.revoked_only}
    out = []
    for entry in found.revoked + found.cert_authorities + found.host_keys + found.revoked_only:
        key = server_key if entry.key in used else entry.key
        out.append((entry.number, f"{entry.marker + ' ' if entry.marker else ''}{server_name} {key}"))
    return "\n".join(line for _, line in sorted(out)), found
