"""The broker URL is judged as Airflow hands it to Celery: `conf.get` expands `$NAME` and `~` (plain data)."""

from __future__ import annotations

import pytest

from e2e.airflow_config import IMAGE_ENV, expand_like_airflow, unresolved_names


@pytest.mark.parametrize("raw,used", [
    ("redis://:pa$HOME-ss@h:6379/0", "redis://:pa/home/airflow-ss@h:6379/0"),
    ("redis://:pa${HOME}ss@h:6379/0", "redis://:pa/home/airflowss@h:6379/0"),
    ("redis://:pa$NOT_SET@h:6379/0", "redis://:pa$NOT_SET@h:6379/0"),  # posix expandvars leaves unknown names
    ("redis://:pa%24HOME@h:6379/0", "redis://:pa%24HOME@h:6379/0"),  # percent-encoded: nothing to expand
    ("redis://:p$@h/0", "redis://:p$@h/0"),
    ("~/x", "/home/airflow/x"), ("~airflow", "/home/airflow"), ("~nobody/x", "~nobody/x"),
])
def test_values_expand_as_airflow_conf_get_expands_them(raw, used):
    assert expand_like_airflow(raw, IMAGE_ENV) == used


def test_expansion_repeats_until_nothing_changes():
    assert expand_like_airflow("$A", {"A": "$B", "B": "~"} | {"HOME": "/h"}) == "/h"


def test_names_the_image_does_not_set_are_reported():
    assert unresolved_names("redis://:a$FOO${BAR}$HOME@h/0") == ["BAR", "FOO"]
