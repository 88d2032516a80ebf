"""Authentication, roles, rate limits and request-size limits for the service.

Every route except ``/health`` (and the dashboard's static shell, which holds no data) depends
on :func:`requires`: the API key comes in ``Authorization: Bearer <key>`` or ``X-API-Key``;
no or a bad key is 401, a role too low is 403, a key over its rate is 429 with ``Retry-After``
(and so is a client address that tries too many unknown keys: each costs a scrypt hash).
:class:`BodyLimitMiddleware` answers 413 to bodies over the configured size.

Quickstart
----------
>>> from micromix.api.security import Principal
>>> Principal(key_id="abc", role="viewer").can("analyst")
False
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from micromix.api.errors import ApiError, error_body
from micromix.api.keys import ROLES, role_allows

__all__ = ["BodyLimitMiddleware", "Principal", "presented_key", "requires"]


@dataclass(frozen=True)
class Principal:
    """The caller of a request: key id and role."""

    key_id: str
    role: str
    client: str = ""

    def can(self, role: str) -> bool:
        return role_allows(self.role, role)


def presented_key(request: Request) -> str | None:
    """The API key of a request (``Authorization: Bearer`` or ``X-API-Key``), if any."""
    auth = request.headers.get("authorization")
    if auth:
        scheme, _, value = auth.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
    key = request.headers.get("x-api-key")
    return key.strip() if key else None


def requires(role: str) -> Any:
    """A FastAPI dependency admitting keys with ``role`` or a higher one."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")

    async def dependency(request: Request) -> Principal:
        svc = request.app.state.service
        key = presented_key(request)
        if not key:
            raise ApiError(
                401,
                "unauthorized",
                "an API key is required: send 'Authorization: Bearer <key>' or "
                "'X-API-Key: <key>' (an admin key creates one with POST /api/v1/keys; the "
                "first start of 'micromix serve' prints an admin key)",
                {"WWW-Authenticate": "Bearer"},
            )
        rec = svc.keys.remembered(key)
        client = request.client.host if request.client else ""
        if rec is None:
            # verifying an unknown key costs a scrypt hash: limit attempts per client address
            allowed, wait = svc.auth_limiter.take(client)
            if not allowed:
                raise ApiError(
                    429,
                    "rate_limited",
                    f"too many key checks from {client}; retry in {wait:.2f} s",
                    {"Retry-After": str(max(1, math.ceil(wait)))},
                )
            rec = await run_in_threadpool(svc.keys.verify, key)
        if rec is None:
            raise ApiError(
                401,
                "unauthorized",
                "the API key is not valid or was revoked",
                {"WWW-Authenticate": "Bearer"},
            )
        if not role_allows(rec.role, role):
            raise ApiError(
                403,
                "forbidden",
                f"this needs the {role} role; the key {rec.key_id} has the {rec.role} role",
            )
        allowed, wait = svc.limiter.take(rec.key_id)
        if not allowed:
            raise ApiError(
                429,
                "rate_limited",
                f"too many requests for key {rec.key_id}; retry in {wait:.2f} s",
                {"Retry-After": str(max(1, math.ceil(wait)))},
            )
        return Principal(rec.key_id, rec.role, client)

    dependency.__name__ = f"requires_{role}"
    return Depends(dependency)


class BodyLimitMiddleware:
    """ASGI middleware answering 413 to a body larger than ``max_bytes`` (declared or streamed)."""

    def __init__(self, app: Callable[..., Awaitable[None]], max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        message = self._message(str(scope.get("path", "")))
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > self.max_bytes:
                    await self._refuse(send, message)
                    return
        seen = 0

        async def limited() -> dict[str, Any]:
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > self.max_bytes:
                    raise StarletteHTTPException(413, message)
            return msg

        try:
            await self.app(scope, limited, send)
        except StarletteHTTPException as exc:
            if exc.status_code != 413:
                raise
            await self._refuse(send, message)

    def _message(self, path: str) -> str:
        """The refusal: a file upload is split, an event batch sent in smaller batches."""
        advice = (
            "split the file into smaller files (e.g. by period) and upload each"
            if path.startswith("/api/v1/ingest/")
            else "send smaller batches"
        )
        return f"request body over the limit of {self.max_bytes:,} bytes; {advice}"

    async def _refuse(self, send: Any, message: str) -> None:
        import json

        body = json.dumps(error_body(413, "too_large", message)).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
