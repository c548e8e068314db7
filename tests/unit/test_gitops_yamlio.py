"""YAML reading: both parsers agree, and deep nesting is a clear error, never a crash (plain text inputs)."""

from pathlib import Path

import pytest

from e2e.errors import UnusableInput
from e2e.gitops import yamlio

REFERENCE = Path(__file__).resolve().parents[2] / "fixtures" / "gitops"


@pytest.mark.parametrize("path", sorted(REFERENCE.rglob("*.yaml")), ids=lambda p: p.name)
def test_fast_and_pure_parsers_give_the_same_documents_and_lines(path, monkeypatch):
    text = path.read_text()
    fast = yamlio.loader_for(text)
    assert fast is yamlio._FastLineLoader, "reference files are shallow: the libyaml parser must be used"
    pure = yamlio._LineLoader
    docs = {}
    for loader in (fast, pure):
        monkeypatch.setattr(yamlio, "loader_for", lambda _t, chosen=loader: chosen)
        docs[loader] = yamlio.load_documents(text, path.name)
    assert docs[fast] == docs[pure]
    assert [line for line, _ in docs[fast]] == [line for line, _ in docs[pure]]


@pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000, "- " * 100_000 + "x", "{a: " * 50_000 + "1"])
def test_very_deep_nesting_is_unusable_input_not_a_crash(text):
    with pytest.raises(UnusableInput, match=r"nested too deeply|broken YAML"):
        yamlio.load_documents(text, "deep.yaml")


def test_nesting_bound_is_above_real_depth():
    assert yamlio.nesting_bound("a:\n  b:\n    - [1, {c: 2}]\n") >= 5
