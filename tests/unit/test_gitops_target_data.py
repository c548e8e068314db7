"""What ESO writes into a target Secret, as the component tier's job env and the cluster checks both compute it."""

from __future__ import annotations

import pytest

from e2e.gitops.templates import TemplateKeyMissing, render_target_data

PAYLOAD_TEXT = "fernetKey: abc\ndb:\n  password: p@ss\n"


def test_each_template_entry_is_rendered_against_the_data_context():
    data = render_target_data({"fernet-key": "{{ (fromYaml .config).fernetKey }}",
                               "password": "{{ (fromYaml .config).db.password | urlquery }}"},
                              {"config": PAYLOAD_TEXT})
    assert data == {"fernet-key": "abc", "password": "p%40ss"}


def test_without_a_template_the_secret_holds_the_data_context_as_is():
    assert render_target_data({}, {"config": PAYLOAD_TEXT}) == {"config": PAYLOAD_TEXT}


def test_a_missing_payload_path_fails_naming_the_path_not_a_value():
    with pytest.raises(TemplateKeyMissing, match="fernetKeyy") as caught:
        render_target_data({"fernet-key": "{{ (fromYaml .config).fernetKeyy }}"}, {"config": PAYLOAD_TEXT})
    assert "abc" not in str(caught.value)
