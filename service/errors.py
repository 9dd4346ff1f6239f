"""One exception tree for the whole package, with the exit codes and HTTP statuses of DESIGN §1.1.

Messages must never contain identifying text from a document (no names, numbers, file
contents); they may name the input file the *operator* gave us and say what to do next.
Exactly two translators use this module: the CLI (``exit_code``) and the API (``http_status``).
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    ok = 0
    bad_args = 2
    input_file = 3
    encrypted = 4
    verification_failed = 5
    invalid_rules = 6
    missing_model = 7
    interrupted = 130


class MangshenError(Exception):
    """Base class: every error we expect carries an exit code and an HTTP status."""

    exit_code: ExitCode = ExitCode.input_file
    http_status: int = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class BadArgumentsError(MangshenError):
    exit_code = ExitCode.bad_args
    http_status = 400


class InputFileError(MangshenError):
    """The input cannot be read: unsupported type, corrupt, empty, or over a limit."""

    exit_code = ExitCode.input_file
    http_status = 422


class UnsupportedTypeError(InputFileError):
    http_status = 415


class EmptyFileError(InputFileError):
    http_status = 422


class CorruptFileError(InputFileError):
    http_status = 422


class LimitExceededError(InputFileError):
    """Too many pages, too many pixels, too large: refused before it can exhaust memory."""

    http_status = 413


class EncryptedInputError(MangshenError):
    exit_code = ExitCode.encrypted
    http_status = 422


class VerificationFailedError(MangshenError):
    """The blind copy did not pass verification; nothing was released."""

    exit_code = ExitCode.verification_failed
    http_status = 500


class InvalidRulesError(MangshenError):
    exit_code = ExitCode.invalid_rules
    http_status = 400


class MissingModelError(MangshenError):
    exit_code = ExitCode.missing_model
    http_status = 503


class PageAnalysisError(MangshenError):
    """A page could not be analysed. Fail closed: the input is not released."""

    exit_code = ExitCode.verification_failed
    http_status = 500


def worst(codes: list[int]) -> int:
    """The exit code that wins when several inputs ran: the highest non-zero one."""
    nonzero = [c for c in codes if c]
    return max(nonzero) if nonzero else 0
