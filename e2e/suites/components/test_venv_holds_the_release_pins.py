"""The Airflow venv the tier runs holds exactly the pins beside its Airflow version (e2e.versions.AIRFLOW_CONSTRAINTS:
SQLAlchemy, the PostgreSQL driver, celery, kombu, redis, the FAB provider and Flask-AppBuilder, the API stack)."""

from __future__ import annotations

import pytest

from e2e import versions
from e2e.components import airflow_venv as venv_mod

pytestmark = pytest.mark.components


def test_the_venv_s_installed_versions_are_the_release_s_pins(airflow_venv):
    pins = versions.AIRFLOW_CONSTRAINTS[airflow_venv.airflow_version]
    got = venv_mod.installed(airflow_venv.python, sorted(pins))
    assert got == pins
    assert venv_mod.installed(airflow_venv.python, ["apache-airflow"]) == {"apache-airflow":
                                                                         airflow_venv.airflow_version}
