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


@pytest.mark.parametrize(("argv", "unknown"), [
    (["payload"], False), (["payload", "--out", "x", "--db-port", "abc"], False), (["no-such-command"], False),
    (["plan", "/some/dir", "--output", "x"], True), (["preflight", ".", "--no-such-flag"], True),
    (["report", "a.json", "extra"], True),
])
def test_usage_mistakes_are_one_line_and_exit_2(argv, unknown, capsys):
    """An unknown argument is named by the command's own parser, so the hint is its own --help."""
    with pytest.raises(SystemExit) as caught:
        cli.main(argv)
    err = capsys.readouterr().err
    assert caught.value.code == cli.EXIT_UNUSABLE
    assert err.count("\n") == 1 and "--help" in err and "usage:" not in err
    if unknown:
        assert err.startswith(f"airflow-e2e {argv[0]}: error: unrecognized arguments")
        assert err.rstrip("\n").endswith(f"(see `airflow-e2e {argv[0]} --help`)")


def test_a_closed_pipe_ends_quietly(tmp_path):
    import subprocess
    import sys

    script = "from e2e import cli; import sys; sys.exit(cli.main(['scenario', '--list']))"
    reader = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    reader.stdout.close()  # nobody reads: every write hits a closed pipe
    _, err = reader.communicate(timeout=60)
    assert reader.returncode == 0
    assert b"Traceback" not in err and b"BrokenPipe" not in err
