"""The command line's error contract: bad input is one line on stderr and exit 2, never a traceback."""

import pytest

from e2e import cli


def test_every_documented_command_is_available():
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert set(sub.choices) == set(cli.COMMANDS)


def test_a_path_that_cannot_be_written_is_one_line_and_exit_2(capsys, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code = cli.main(["plan", "--output", str(blocker / "sub")])
    err = capsys.readouterr().err
    assert code == cli.EXIT_UNUSABLE
    assert err.count("\n") == 1 and "Traceback" not in err
    assert str(blocker / "sub") in err


def test_unexpected_errors_are_one_line_without_the_message(capsys, monkeypatch):
    def explode(_args):
        raise RuntimeError("secret-value-must-not-show")

    parser = cli.build_parser()
    monkeypatch.setattr(cli, "build_parser", lambda *_a, **_k: parser)
    parser._subparsers._group_actions[0].choices["sweep"].set_defaults(_run=explode)
    monkeypatch.delenv("AIRFLOW_E2E_DEBUG", raising=False)
    assert cli.main(["sweep"]) == cli.EXIT_INTERNAL
    err = capsys.readouterr().err
    assert "RuntimeError" in err and "secret-value-must-not-show" not in err and err.count("\n") == 1


@pytest.mark.parametrize("argv", [["preflight", "/nonexistent-dir"], ["report", "/nonexistent.json"]])
def test_missing_inputs_exit_2(argv, capsys):
    assert cli.main(argv) == cli.EXIT_UNUSABLE
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["payload"], ["payload", "--out", "x", "--db-port", "abc"], ["no-such-command"]])
def test_usage_mistakes_are_one_line_and_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as caught:
        cli.main(argv)
    err = capsys.readouterr().err
    assert caught.value.code == cli.EXIT_UNUSABLE
    assert err.count("\n") == 1 and "--help" in err and "usage:" not in err


def test_a_closed_pipe_ends_quietly(tmp_path):
    import subprocess
    import sys

    script = "from e2e import cli; import sys; sys.exit(cli.main(['scenario', '--list']))"
    reader = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    reader.stdout.close()  # nobody reads: every write hits a closed pipe
    _, err = reader.communicate(timeout=60)
    assert reader.returncode == 0
    assert b"Traceback" not in err and b"BrokenPipe" not in err


@pytest.mark.parametrize("argv", [["plan", "/some/dir", "--output", "x"], ["preflight", ".", "--no-such-flag"],
                                  ["report", "a.json", "extra"]])
def test_an_unknown_argument_names_the_command_s_own_help(argv, capsys):
    with pytest.raises(SystemExit) as caught:
        cli.main(argv)
    lines = capsys.readouterr().err.strip().splitlines()
    assert caught.value.code == 2 and len(lines) == 1, lines
    assert lines[0].startswith(f"airflow-e2e {argv[0]}: error: unrecognized arguments")
    assert lines[0].endswith(f"(see `airflow-e2e {argv[0]} --help`)")


@pytest.mark.parametrize("argv", [["preflight", "fixtures/gitops\r", "extra\r"], ["components", "--only\r"],
                                  ["report", "t.json", "--format", "html\r\nsecond line"]])
def test_a_usage_mistake_quoting_a_carriage_return_stays_one_line(argv, capsys):
    """A script saved with CRLF line endings passes a trailing \\r: the refusal quoting it is still one line."""
    with pytest.raises(SystemExit) as caught:
        cli.main(argv)
    err = capsys.readouterr().err
    assert caught.value.code == cli.EXIT_UNUSABLE
    assert len(err.splitlines()) == 1 and "\r" not in err and "\\x0d" in err
