"""The exceptions critica raises. Each message says what went wrong and what to do."""

from __future__ import annotations


class CriticaError(Exception):
    """Base class for every error critica raises on purpose."""

    exit_code = 1


class InputError(CriticaError):
    """The input cannot be analysed as given (empty, binary, too large, unreadable)."""

    exit_code = 2


class TooLargeError(InputError):
    """A request body or input is over a size limit."""

    status = 413


class FetchError(InputError):
    """A URL could not be fetched or held no article text."""


class RatingError(InputError):
    """A rating string given by the caller could not be parsed."""


class ModelError(CriticaError):
    """A shipped model file is missing, corrupt or of the wrong version."""

    exit_code = 3


class ComponentError(CriticaError):
    """A pipeline component failed; the message names the component."""

    def __init__(self, component: str, cause: BaseException) -> None:
        super().__init__(f"pipeline component {component!r} failed: {cause}")
        self.component = component
        self.cause = cause

    def __reduce__(self) -> tuple[type[ComponentError], tuple[str, BaseException]]:
        # Travels intact from a batch worker process back to the coordinator.
        return (type(self), (self.component, self.cause))


class ConfigError(CriticaError):
    """A setting has a bad value; the message names the key and the fix."""


class StoreError(CriticaError):
    """The store cannot be opened or used (bad URL, server down, missing record)."""

    exit_code = 4


class NotFoundError(CriticaError):
    """A title, review or other record does not exist."""

    exit_code = 5
    status = 404


class AuthError(CriticaError):
    """A write was attempted without a valid API token."""

    exit_code = 6
    status = 401


class BusyError(CriticaError):
    """The server is at a limit it keeps on purpose; the same request later will work."""

    exit_code = 7
    status = 503
    retry_after = 5  # seconds


class RateLimitError(CriticaError):
    """Too many failed attempts from one client; it may try again after ``retry_after`` s."""

    exit_code = 6
    status = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after

    def __reduce__(self) -> tuple[type[RateLimitError], tuple[str, int]]:
        return (type(self), (str(self), self.retry_after))


def http_status(exc: CriticaError) -> int:
    """The HTTP status an error maps to (one table for the whole API)."""
    if isinstance(exc, NotFoundError | AuthError | BusyError | TooLargeError | RateLimitError):
        return exc.status
    if isinstance(exc, InputError):
        return 422
    if isinstance(exc, ConfigError):
        return 500
    return 500 if isinstance(exc, ModelError) else 400
