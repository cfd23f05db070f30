"""Errors that the CLI turns into a message and an exit code."""

from __future__ import annotations


class VerifierError(Exception):
    """Base class for errors verifier reports to the user."""

    exit_code = 1


class InputError(VerifierError):
    """Bad input or usage: a clear message, exit code 2, nothing written."""

    exit_code = 2


class DocumentError(InputError):
    """A document that cannot be read or parsed; names the file and the reason."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason
