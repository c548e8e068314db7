"""Errors the command line turns into one clear line and exit code 2, and the exit codes of every command."""

# 0 passed (clean), 1 failed (findings), 2 unusable input, 3 internal error, 130 interrupted (README.md)
EXIT_OK, EXIT_FAILED, EXIT_UNUSABLE, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


class UnusableInput(Exception):
    """Input the harness cannot work with (missing directory, broken YAML, binary file...).

    The message is shown to the user as-is, on one line: it must never contain a secret value.
    """
