"""The shipped suites use the harness's fixtures and hooks; loading them here keeps them out of other runs."""

pytest_plugins = ["e2e.fixtures"]
