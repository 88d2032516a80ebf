"""Admin routes: API keys, the audit log and the right to erasure (admin role).

Quickstart
----------
>>> from micromix.api.routers.admin import router
>>> "/api/v1/keys" in {route.path for route in router.routes}
True
"""

from __future__ import annotations

import importlib.util
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from micromix.api._respond import frame_json, json_response
from micromix.api.audit import read_audit
from micromix.api.errors import ApiError
from micromix.api.security import Principal, requires

__all__ = ["ErasureRequest", "KeyRequest", "router"]

router = APIRouter(prefix="/api/v1", tags=["admin"])


class KeyRequest(BaseModel):
    """A new API key."""

    role: str = Field(pattern="^(viewer|analyst|admin)$", description="viewer, analyst or admin.")
    name: str = Field("", max_length=200, description="Who or what the key is for.")


class ErasureRequest(BaseModel):
    """A person to erase from every table."""

    user_id: str = Field(min_length=1, max_length=200, description="Pseudonymous id.")
    record_unknown: bool = Field(
        False,
        description="Record the erasure of an id no row holds yet (a person whose data has not "
        "arrived; kept out of future exports). Without it such an id is refused with 422, "
        "nothing written, as `micromix privacy erase` refuses it without --record-unknown.",
    )


def _by(who: Principal) -> str:
    return f"{who.role}:{who.key_id}"


@router.get("/keys", summary="List API keys (no secrets)")
def keys_list(request: Request, who: Principal = requires("admin")) -> Response:
    svc = request.app.state.service
    from micromix.api.keys import list_keys

    return json_response([k.to_dict() for k in svc.read(list_keys)])


@router.post("/keys", summary="Create an API key (the secret is shown once)", status_code=201)
def keys_create(request: Request, body: KeyRequest, who: Principal = requires("admin")) -> Response:
    svc = request.app.state.service
    secret, rec = svc.keys.create(
        body.role, name=body.name, requested_by=_by(who), details={"client": who.client}
    )
    return json_response({"key": secret, **rec.to_dict()}, status=201)


@router.delete("/keys/{key_id}", summary="Revoke an API key")
def keys_revoke(request: Request, key_id: str, who: Principal = requires("admin")) -> Response:
    svc = request.app.state.service
    if not key_id.isalnum() or len(key_id) > 32:
        raise ApiError(422, "invalid_parameter", f"key id {key_id[:40]!r} is not a key id")
    rec = svc.keys.revoke(key_id, requested_by=_by(who), details={"client": who.client})
    return json_response(rec.to_dict())


@router.get("/audit", summary="The audit log (newest first)")
def audit(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=5000)] = 200,
    who: Principal = requires("admin"),
) -> Response:
    svc = request.app.state.service
    return Response(
        frame_json(svc.read(lambda st: read_audit(st, limit=limit))), media_type="application/json"
    )


@router.post("/privacy/erase", summary="Erase a person from every table (right to erasure)")
def erase(request: Request, body: ErasureRequest, who: Principal = requires("admin")) -> Response:
    """Deletes every row about ``user_id`` (events, audience, experiments, posts ...) with
    :func:`micromix.audience.erase_user`, which writes the audit record (a one-way hash of the
    id, never the id) in the same transaction.

    An id no row holds is refused (422, nothing written) unless ``record_unknown`` is true; an
    id erased before is a no-op answered with ``already_erased: true`` (200), as in the CLI."""
    if importlib.util.find_spec("micromix.audience") is None:
        raise ApiError(501, "missing_feature", "erasure needs the micromix.audience package")
    from micromix.audience import erase_user
    from micromix.errors import ConfigError

    if not body.user_id.strip():
        raise ApiError(
            422, "invalid_parameter", "user_id is blank; send the pseudonymous id to erase"
        )
    svc = request.app.state.service
    try:
        res: Any = svc.write(
            lambda st: erase_user(
                st, body.user_id, requested_by=_by(who), record_unknown=body.record_unknown
            ),
            by=who.key_id,
        )
    except ConfigError as exc:  # name the body field, never the CLI's flag
        raise ConfigError(_api_terms(str(exc))) from None
    return json_response(res.to_dict())


def _api_terms(message: str) -> str:
    """``erase_user``'s refusal in the API's terms: the body field for the CLI's flag."""
    return message.replace("pass --record-unknown", "send record_unknown=true in the request body")
