"""The thin command wrapper (through `sh`): exit codes judged here, errors one masked line (real processes)."""

import pytest

from e2e.cluster import tools
from e2e.masking import Masker


def test_output_and_exit_code_come_back_as_text():
    done = tools.run(["git", "--version"])
    assert done.returncode == 0 and done.stdout.startswith("git version")


def test_stdin_is_passed_through_exactly():
    assert tools.run(["cat"], input_text="line one\nline two\n").stdout == "line one\nline two\n"


def test_a_failing_command_is_one_masked_line():
    masker = Masker(["definitely-a-secret-value"])
    with pytest.raises(tools.ToolError) as caught:
        tools.run(["git", "definitely-a-secret-value"], masker=masker)
    message = str(caught.value)
    assert "definitely-a-secret-value" not in message and "***MASKED***" in message
    assert "\n" not in message


def test_check_false_returns_the_failure_instead_of_raising():
    assert tools.run(["git", "no-such-subcommand"], check=False).returncode != 0


def test_a_command_past_its_deadline_is_stopped():
    with pytest.raises(tools.ToolError, match="did not finish within 1s"):
        tools.run(["tail", "-f", "/dev/null"], timeout=1)
