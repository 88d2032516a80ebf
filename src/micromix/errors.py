"""The micromix error tree.

Every error micromix raises on purpose derives from :class:`MicromixError`, and most also
derive from the builtin a Python user would expect, so ``except ValueError`` keeps working.
Each message is one sentence that says what went wrong *and what to do*.

::

    MicromixError
     ├── ConfigError(ValueError)            a setting or argument is invalid
     ├── DataValidationError(ValueError)    input data breaks a data contract
     │    └── ColumnNotFoundError(KeyError) a required column is missing
     ├── InputFileError(OSError)            a file is missing, unreadable or in an unknown format
     ├── NotFoundError(LookupError)         a named thing (experiment, comparison ...) does not exist
     ├── StoreError(RuntimeError)           the store cannot be opened, read or written
     ├── NotFittedError(AttributeError)     an estimator was used before ``fit``
     ├── ModelError(RuntimeError)           a model cannot be fitted or did not converge
     ├── GuardrailError(PermissionError)    a privacy / platform guardrail refused an action
     ├── DeliveryError(ConnectionError)     an action (webhook, stream) could not be delivered
     └── MissingDependencyError(ImportError) an optional extra is not installed

Quickstart
----------
>>> from micromix.errors import DataValidationError, MicromixError
>>> try:
...     raise DataValidationError("column 'spend' must be >= 0; fix the export and retry")
... except ValueError as exc:
...     isinstance(exc, MicromixError)
True
"""

from __future__ import annotations

__all__ = [
    "ColumnNotFoundError",
    "ConfigError",
    "DataValidationError",
    "DeliveryError",
    "GuardrailError",
    "InputFileError",
    "MicromixError",
    "MissingDependencyError",
    "ModelError",
    "NotFittedError",
    "NotFoundError",
    "StoreError",
]


class MicromixError(Exception):
    """Base class of every error micromix raises on purpose."""

    #: process exit code the CLI uses for this family of errors
    exit_code: int = 1


class ConfigError(ValueError, MicromixError):
    """An argument or setting has an invalid value."""

    exit_code = 2


class DataValidationError(ValueError, MicromixError):
    """Input data does not satisfy a data contract."""


class ColumnNotFoundError(KeyError, MicromixError):
    """A required column is missing from the input."""

    exit_code = 2

    def __str__(self) -> str:  # KeyError quotes its message; we want plain text
        return str(self.args[0]) if self.args else ""


class InputFileError(OSError, MicromixError):
    """A file is missing, unreadable or in a format micromix does not understand."""

    exit_code = 2


class NotFoundError(LookupError, MicromixError):
    """A named thing (an experiment, a comparison, a saved model) does not exist."""

    exit_code = 2

    def __str__(self) -> str:  # LookupError subclasses may quote; keep the sentence plain
        return str(self.args[0]) if self.args else ""


class StoreError(RuntimeError, MicromixError):
    """The store could not be opened, read or written."""


class NotFittedError(AttributeError, MicromixError):
    """An estimator was used before ``fit`` was called."""


class ModelError(RuntimeError, MicromixError):
    """A model could not be fitted, or its diagnostics failed hard."""


class GuardrailError(PermissionError, MicromixError):
    """A privacy, legal or platform guardrail refused the requested action.

    ``checks`` holds the failing :class:`micromix.checks.CheckResult` objects.
    """

    exit_code = 3

    def __init__(self, message: str, checks: list | None = None) -> None:
        super().__init__(message)
        self.checks = list(checks or [])

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class DeliveryError(ConnectionError, MicromixError):
    """An action (webhook call, stream write) could not be delivered."""


class MissingDependencyError(ImportError, MicromixError):
    """An optional dependency is missing; the message names the extra to install."""

    exit_code = 2


def require(module: str, extra: str) -> object:
    """Import an optional module or raise :class:`MissingDependencyError` with the fix.

    Parameters
    ----------
    module : str
        Importable module name, e.g. ``"redis"``.
    extra : str
        The micromix extra that installs it, e.g. ``"redis"``.
    """
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingDependencyError(
            f"this feature needs the optional package '{module}'; "
            f"install it with: pip install 'micromix[{extra}]'"
        ) from exc
