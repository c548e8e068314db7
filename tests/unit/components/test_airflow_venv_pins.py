"""The Airflow venv is built with the libraries that decide behaviour pinned to Airflow's published constraints."""

from __future__ import annotations

from pathlib import Path

import pytest

from e2e import versions
from e2e.components import airflow_venv

DECIDING = {"sqlalchemy", "psycopg2-binary", "celery", "kombu", "redis", "flask-appbuilder"}


@pytest.mark.parametrize("airflow", sorted({v for v in versions.CHART_AIRFLOW.values() if v.startswith("3.2")}))
def test_every_airflow_the_tier_runs_pins_the_libraries_that_decide_behaviour(airflow):
    assert set(versions.AIRFLOW_CONSTRAINTS[airflow]) >= DECIDING


def test_sqlalchemy_stays_on_2_0_as_the_constraints_say_so_postgresql_means_psycopg2():
    # SQLAlchemy 2.1 makes `postgresql://` mean psycopg 3; Airflow 3.2's constraints name 2.0.x and psycopg2.
    for pins in versions.AIRFLOW_CONSTRAINTS.values():
        assert pins["sqlalchemy"].startswith("2.0.") and "psycopg2-binary" in pins


def test_the_venv_is_built_with_celery_and_postgres_extras_and_a_constraints_file():
    assert airflow_venv.requirements("3.2.1")[0] == "apache-airflow[celery,postgres]==3.2.1"
    assert "celery==5.6.3" in airflow_venv.constraints("3.2.1")
    assert "sqlalchemy==2.0.49" in airflow_venv.constraints("3.2.1")


def test_changing_a_pin_changes_the_cache_key(monkeypatch):
    root = Path("/cache")
    before = airflow_venv.venv_dir(root, "3.2.1", airflow_venv.spec_for("3.2.1", "3.11"))
    changed = dict(versions.AIRFLOW_CONSTRAINTS["3.2.1"], kombu="5.6.1")
    monkeypatch.setitem(versions.AIRFLOW_CONSTRAINTS, "3.2.1", changed)
    after = airflow_venv.venv_dir(root, "3.2.1", airflow_venv.spec_for("3.2.1", "3.11"))
    assert before != after and before.name.startswith("airflow-3.2.1-py3.11-")


def test_a_venv_built_with_other_pins_is_not_reused(tmp_path):
    spec = airflow_venv.spec_for("3.2.1", "3.11")
    path = tmp_path / "v"
    (path / "bin").mkdir(parents=True)
    (path / "bin" / "airflow").write_text("")
    (path / airflow_venv.MARKER).write_text('{"requirements": ["apache-airflow[postgres]==3.2.1"], "python": "3.11"}')
    assert not airflow_venv._complete(path, spec)


def test_the_fab_provider_installed_is_the_constraints_own_pin_so_pip_never_sees_two():
    for airflow, pins in versions.AIRFLOW_CONSTRAINTS.items():
        assert f"apache-airflow-providers-fab=={pins['apache-airflow-providers-fab']}" in \
            airflow_venv.requirements(airflow)


def test_each_version_says_whether_its_pins_are_the_release_s_own_published_constraints():
    assert set(versions.RELEASE_CONSTRAINTS_FOUND) == set(versions.AIRFLOW_CONSTRAINTS)
    assert versions.RELEASE_CONSTRAINTS_FOUND["3.2.1"] is True


@pytest.mark.parametrize("airflow", sorted({v for v in versions.CHART_AIRFLOW.values() if v.startswith("3.2")}))
def test_every_airflow_the_tier_runs_is_pinned_from_its_own_release_constraints(airflow):
    # Issue 15 item 13: the pins come from the release's published constraints-<version> file, not from the
    # constraints of another branch; 3.2.2's file (constraints-3.2.2/constraints-3.14.txt) names these.
    assert versions.RELEASE_CONSTRAINTS_FOUND[airflow] is True
    if airflow == "3.2.2":
        pins = versions.AIRFLOW_CONSTRAINTS[airflow]
        assert (pins["apache-airflow-providers-postgres"], pins["apache-airflow-providers-celery"],
                pins["starlette"]) == ("6.7.0", "3.20.0", "1.1.0")
