"""Error handling for the service: every failure is a small JSON object, never a traceback.

``{"error": "<kind>", "message": "<one sentence>", "status": <code>}`` plus ``checks`` for a
guardrail refusal. micromix errors map to 4xx codes (:func:`api_error`); anything unexpected is
logged on the server and answered with a 500 that names no internals. Messages never name a path
on the server: handlers that read a temporary file pass its folder to :func:`api_error`, which
puts the client's own file name in its place.

Quickstart
----------
>>> from micromix.api.errors import status_for
>>> from micromix.errors import ConfigError, GuardrailError
>>> status_for(ConfigError("x")), status_for(GuardrailError("no"))
(422, 422)
>>> e = api_error(ConfigError("/tmp/up1/a.csv: bad"), {"/tmp/up1/a.csv": "a.csv"})
>>> (e.status, e.kind, e.message)
(422, 'invalid_parameter', 'a.csv: bad')
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from micromix.errors import (
    ColumnNotFoundError,
    ConfigError,
    DataValidationError,
    GuardrailError,
    InputFileError,
    MicromixError,
    MissingDependencyError,
    NotFittedError,
    NotFoundError,
    StoreError,
)
from micromix.ingest.files import RowLimitError

__all__ = [
    "ApiError",
    "api_error",
    "error_body",
    "install_error_handlers",
    "renamed",
    "status_for",
]

log = logging.getLogger("micromix.api")

_STATUS: tuple[tuple[type[BaseException], int, str], ...] = (
    (GuardrailError, 422, "guardrail"),
    (RowLimitError, 413, "too_many_rows"),
    (ColumnNotFoundError, 422, "column_not_found"),
    (DataValidationError, 422, "invalid_data"),
    (InputFileError, 422, "bad_file"),
    (ConfigError, 422, "invalid_parameter"),
    (NotFittedError, 409, "not_fitted"),
    (NotFoundError, 404, "not_found"),
    (StoreError, 409, "store"),
    (MissingDependencyError, 501, "missing_dependency"),
    (MicromixError, 400, "micromix"),
)


class ApiError(Exception):
    """An error with an HTTP status raised by the service's own code (limits, roles, keys)."""

    def __init__(
        self,
        status: int,
        kind: str,
        message: str,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.kind = kind
        self.message = message
        self.headers = headers or {}
        #: more fields of the error body (what a client needs to word its own advice)
        self.extra = extra or {}

    def __reduce__(self) -> tuple[Any, ...]:
        # raised in the batch worker process and re-raised in the server (micromix.api.batches)
        return (type(self), (self.status, self.kind, self.message, self.headers, self.extra))


def status_for(exc: BaseException) -> int:
    """HTTP status for a micromix error."""
    for cls, status, _ in _STATUS:
        if isinstance(exc, cls):
            return status
    return 500


def api_error(exc: MicromixError, names: dict[str, str] | None = None) -> ApiError:
    """The :class:`ApiError` for a micromix error, with server paths replaced by client names.

    ``names`` maps a server path (a temporary file, its folder) to what the client knows it as
    (the uploaded file's name, or ``""`` for a folder); longer paths are replaced first.
    """
    message = renamed(str(exc), names)
    for cls, status, kind in _STATUS:
        if isinstance(exc, cls):
            return ApiError(status, kind, message)
    return ApiError(400, "micromix", message)  # pragma: no cover - MicromixError is in _STATUS


def renamed(text: str, names: dict[str, str] | None) -> str:
    """``text`` with every key of ``names`` replaced by its value, longer keys first (what
    :func:`api_error` does to a message; also for an answer's notes)."""
    for path, name in sorted((names or {}).items(), key=lambda kv: -len(kv[0])):
        if path:
            text = text.replace(path, name)
    return text


def error_body(status: int, kind: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": kind, "message": message, "status": status, **extra}


def _micromix(_: Request, exc: Exception) -> JSONResponse:
    for cls, status, kind in _STATUS:
        if isinstance(exc, cls):
            extra: dict[str, Any] = {}
            if isinstance(exc, GuardrailError):
                extra["checks"] = [
                    c.to_dict() if hasattr(c, "to_dict") else str(c) for c in (exc.checks or [])
                ]
            return JSONResponse(error_body(status, kind, str(exc), **extra), status_code=status)
    return JSONResponse(error_body(400, "micromix", str(exc)), status_code=400)


def _api(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return JSONResponse(
        error_body(exc.status, exc.kind, exc.message, **exc.extra),
        status_code=exc.status,
        headers=exc.headers,
    )


def _validation(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    parts = []
    for e in exc.errors()[:5]:
        where = ".".join(str(x) for x in e.get("loc", ()) if x != "body")
        parts.append(f"{where}: {e.get('msg', 'invalid')}")
    msg = "invalid request: " + "; ".join(parts) + " (see /docs for the expected fields)"
    return JSONResponse(error_body(422, "invalid_request", msg), status_code=422)


def _http(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    # 413: a streamed body over the limit, raised while a route reads it (BodyLimitMiddleware)
    kind = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}.get(
        exc.status_code, "http"
    )
    return JSONResponse(
        error_body(exc.status_code, kind, str(exc.detail)),
        status_code=exc.status_code,
        headers=getattr(exc, "headers", None),
    )


def _import(request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, MicromixError):  # MissingDependencyError names the extra to install
        return _micromix(request, exc)
    log.exception("a feature could not be loaded on %s %s", request.method, request.url.path)
    return JSONResponse(
        error_body(
            501,
            "feature_unavailable",
            "this feature's package could not be loaded on the "
            "server; the details are in the server log",
        ),
        status_code=501,
    )


def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return JSONResponse(
        error_body(500, "internal", "unexpected server error; the details are in the server log"),
        status_code=500,
    )


def install_error_handlers(app: FastAPI) -> None:
    """Register the JSON error handlers on ``app``."""
    app.add_exception_handler(MicromixError, _micromix)
    app.add_exception_handler(ApiError, _api)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(ImportError, _import)
    app.add_exception_handler(Exception, _unexpected)
