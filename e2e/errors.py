"""Errors the command line turns into one clear line and exit code 2."""


class UnusableInput(Exception):
    """Input the harness cannot work with (missing directory, broken YAML, binary file...).

    The message is shown to the user as-is, on one line: it must never contain a secret value.
    """
