"""The pytest plugin (entry point `pytest11`): options, markers and fixtures of the harness.

Kept import-light: it loads in every pytest run of any project that installs the harness.
"""

from __future__ import annotations
