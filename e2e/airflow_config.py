"""Config values as Airflow uses them: `conf.get` runs each through `expand_env_var` (os.path.expandvars, then
os.path.expanduser, repeated until nothing changes), so `$HOME` or `~` inside a connection URL changes it.

Why here, pure: preflight (`--payload`) and the component tier both judge "the value Airflow will use"; the
expansion is computed against a given environment, by default what the official image sets, so no value of
the calling shell leaks in. A component test compares it with the real Airflow's `expand_env_var`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

# What the official apache/airflow image sets (Dockerfile ENV and the airflow user's passwd entry).
IMAGE_ENV: dict[str, str] = {
    "HOME": "/home/airflow", "AIRFLOW_USER_HOME_DIR": "/home/airflow", "AIRFLOW_HOME": "/opt/airflow",
    "PATH": "/root/bin:/home/airflow/.local/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "LANGUAGE": "C.UTF-8", "PYTHONUNBUFFERED": "1",
}
USER_HOMES = {"airflow": "/home/airflow", "root": "/root"}
_VAR = re.compile(r"\$(\w+|\{[^}]*\})", re.ASCII)  # the names os.path.expandvars (posix) replaces


def _expandvars(value: str, env: Mapping[str, str]) -> str:
    out, pos = [], 0
    for match in _VAR.finditer(value):
        name = match.group(1).strip("{}") if match.group(1).startswith("{") else match.group(1)
        if name in env:
            out += [value[pos:match.start()], env[name]]
            pos = match.end()
    return "".join(out) + value[pos:]


def _expanduser(value: str, env: Mapping[str, str]) -> str:
    if not value.startswith("~"):
        return value
    end = value.find("/", 1)
    end = len(value) if end < 0 else end
    user = value[1:end]
    home = env.get("HOME") if not user else USER_HOMES.get(user)
    if home is None:
        return value
    return (home.rstrip("/") + value[end:]) or "/"


def expand_like_airflow(value: str, env: Mapping[str, str] = IMAGE_ENV) -> str:
    """The value `conf.get` returns: expandvars then expanduser, repeated until nothing changes."""
    while True:
        new = _expanduser(_expandvars(value, env), env)
        if new == value:
            return new
        value = new


def unresolved_names(value: str, env: Mapping[str, str] = IMAGE_ENV) -> list[str]:
    """`$NAME`s this environment does not set: they change the value in a container that sets them."""
    return sorted({m.group(1).strip("{}") for m in _VAR.finditer(value)} - set(env))
