"""Say WHY a command failed, in one line, from its output: the first line matching a known cause.

Why: a Job that "fails" is not a diagnosis. The reported failures (FAILURES.md) each have a message that
names the cause; the harness finds that line so a reader does not dig through a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Cause:
    needle: str
    meaning: str
    failure: str | None = None


CAUSES: tuple[Cause, ...] = (
    Cause("password authentication failed", "the metadata database rejected the connection's password",
          "FAILURES.md 6"),
    Cause("could not translate host name", "the metadata database host does not resolve", "FAILURES.md 10"),
    Cause("Name or service not known", "a host in a connection string does not resolve", "FAILURES.md 10"),
    Cause("Connection refused", "nothing listens at the connection's host:port", "FAILURES.md 6"),
    Cause('FATAL:  database "', "the metadata connection names a database the server does not have (a "
          "`?dbname=` in the URL overrides its path)", "FAILURES.md 10"),
    Cause('FATAL:  role "', "the metadata connection names a role the server does not have (a `?user=` in the "
          "URL overrides its user)", "FAILURES.md 10"),
    Cause("There are still unapplied migrations", "the metadata database is not migrated", "FAILURES.md 14"),
    Cause("Fernet key must be 32 url-safe base64-encoded bytes", "the Fernet key is malformed", "FAILURES.md 10"),
    Cause("invalid username-password pair", "Redis rejected the broker URL's password", "FAILURES.md 9"),
    Cause("NOAUTH", "Redis requires a password the broker URL does not give", "FAILURES.md 9"),
    Cause("Host key verification failed", "known_hosts has no matching key for the git server", "FAILURES.md 5"),
    Cause("invalid format", "the SSH private key is malformed (often: no trailing newline)", "FAILURES.md 5"),
    Cause("error in libcrypto", "the SSH private key is malformed (often: no trailing newline)", "FAILURES.md 5"),
    Cause("Permission denied (publickey)", "the git server did not accept the private key", "FAILURES.md 5"),
    Cause("map has no entry for key", "an ExternalSecret template names a key the payload lacks", "FAILURES.md 4"),
)


@dataclass(frozen=True)
class Diagnosis:
    line: str
    meaning: str
    failure: str | None


def diagnose(output: str) -> Diagnosis | None:
    """The first known cause in the output (causes are tried in order of how specific they are)."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    for cause in CAUSES:
        for line in lines:
            if cause.needle in line:
                return Diagnosis(line[-300:], cause.meaning, cause.failure)
    return None


BOILERPLATE = ("(Background on this error at:", "Traceback (most recent call last)")


def last_error_line(output: str) -> str:
    """A fallback reason: the last line that looks like an error (SQLAlchemy's "(Background on this error
    at: ...)" link and traceback headers are not reasons), else the last line."""
    lines = [line.strip() for line in output.splitlines() if line.strip() and not line.strip().startswith(BOILERPLATE)]
    for line in reversed(lines):
        if "Error" in line or "error" in line or "fatal" in line or "FATAL" in line:
            return line[-300:]
    return lines[-1][-300:] if lines else "no output"


def reason(output: str) -> str:
    """Why a command failed, in a few words: the known cause's meaning, else the last error line."""
    found = diagnose(output)
    return found.meaning if found else last_error_line(output)
