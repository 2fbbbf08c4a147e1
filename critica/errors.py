"""The exceptions critica raises. Each message says what went wrong and what to do."""

from __future__ import annotations


class CriticaError(Exception):
    """Base class for every error critica raises on purpose."""

    exit_code = 1


class InputError(CriticaError):
    """The input cannot be analysed as given (empty, binary, too large, unreadable)."""

    exit_code = 2


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


class ConfigError(CriticaError):
    """A setting has a bad value; the message names the key and the fix."""
