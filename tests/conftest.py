"""The harness's own tests use its fixtures and hooks as a team's tests would: by asking for them."""

import os

pytest_plugins = ["e2e.fixtures"]

# The harness's own tests never reach the network: preflight must not `helm pull` a chart schema because a
# developer's machine has helm (tests/components/test_chart_schema_download.py turns this off on loopback).
os.environ.setdefault("AIRFLOW_E2E_OFFLINE", "1")
