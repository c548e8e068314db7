"""No password on a command line while the harness runs Airflow (issue 16 item 5): every process can read every
other's argv (`ps`, /proc/<pid>/cmdline), so the values' create-user script and the harness's probes are watched
by a real scan of /proc/*/cmdline while they run."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from e2e.components import encrypted_probe
from e2e.components.argv_watch import argv_of, program
from e2e.gitops.model import get_path

pytestmark = pytest.mark.components

OLD_SCRIPT = ('airflow users create --username "${AIRFLOW_DEFAULT_USERNAME}" --firstname x --lastname y '
              '--role Admin --email "${AIRFLOW_DEFAULT_EMAIL}" --password "${AIRFLOW_DEFAULT_PASSWORD}"\n')


class ProcScan:
    """Every process on the machine, scanned until stopped: the pids whose argv held one of the values."""

    def __init__(self, *values: str) -> None:
        self.values = [v for v in values if v]
        self.hits: list[str] = []
        self.scans = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> ProcScan:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.scans += 1
            for pid in (int(p) for p in os.listdir("/proc") if p.isdigit()):
                argv = argv_of(pid)
                if any(v in arg for v in self.values for arg in argv):
                    self.hits.append(program(argv))
            self._stop.wait(0.02)


@pytest.fixture(scope="module")
def migrated(component_stack):
    """A payload on a fresh, migrated database (the user Job's runs here touch nothing else)."""
    payload = component_stack.fresh_database("argv")
    res = component_stack.runner(payload, name="argv", user_job=False).airflow(
        "db", "migrate", timeout=600)
    assert res.ok, res.output[-2000:]
    return payload


def _password(stack) -> str:
    return str(get_path(stack.payload, "createUserJob.defaultUser.password"))


def test_the_values_script_creates_the_user_with_no_password_on_any_command_line(component_stack, suite_on,
                                                                                   migrated):
    runner = component_stack.runner(migrated, name="argv")
    argv = [str(a) for a in get_path(component_stack.inputs.values, "createUserJob.args")]
    with ProcScan(_password(component_stack)) as scan:
        res = runner.run(argv, timeout=600, what="createUserJob args")
    assert res.ok, component_stack.masker.mask(res.output[-2000:])
    assert scan.scans > 10 and scan.hits == [] and res.argv_exposed == {}
    login = suite_on().authenticate("argv.password-authenticates", runner=runner)  # FAB's login path
    assert login.outcome == "pass", f"the password given on stdin is the one the user logs in with: {login.summary}"


def test_a_script_with_password_on_its_command_line_is_seen_doing_so(component_stack, migrated):
    runner = component_stack.runner(migrated, name="argv")
    with ProcScan(_password(component_stack)) as scan:
        res = runner.run(["bash", "-ec", OLD_SCRIPT], timeout=600, what="createUserJob args")
    assert "airflow" in scan.hits, "the control: the scan sees a password given as --password"
    assert res.argv_exposed == {"AIRFLOW_DEFAULT_PASSWORD": "airflow"}


def test_the_fernet_probe_password_never_reaches_a_command_line(component_stack, migrated):
    runner = component_stack.runner(migrated, name="argv", user_job=False)
    secret = "probe-" + os.urandom(8).hex()
    component_stack.protect(secret)
    with ProcScan(secret) as scan:
        stored = encrypted_probe.store(runner, secret, timeout=600)
        read = encrypted_probe.read(runner, secret, timeout=600)
    assert stored.ok and read.decrypted and read.encrypted_at_rest, component_stack.masker.mask(stored.output[-1000:])
    assert scan.scans > 10 and scan.hits == []
    assert not list(Path(runner.workdir).glob("probe-connection*")), "the 0600 file is gone after the import"
