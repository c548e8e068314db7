"""The pytest plugin (entry point `pytest11`): options, markers and fixtures of the harness.

Kept import-light: it loads in every pytest run of any project that installs the harness. Each tier keeps
its own fixtures in its own module; this file only lists them.
"""

from __future__ import annotations

pytest_plugins = [
    "e2e.components.fixtures",
    "e2e.cluster.fixtures",
    "e2e.ci.pytest_hooks",
]
