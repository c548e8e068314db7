"""The harness's own tests use its fixtures and hooks as a team's tests would: by asking for them."""

pytest_plugins = ["e2e.fixtures"]
