"""Listening and user-content routes: brand mentions and the user posts worth amplifying.

Quickstart
----------
>>> from micromix.api.routers.social import router
>>> "/api/v1/social/amplify" in {route.path for route in router.routes}
True
"""

from __future__ import annotations

from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from micromix.api._respond import json_response
from micromix.api.security import Principal, requires
from micromix.api.service import Service
from micromix.errors import StoreError

__all__ = ["DEFAULT_BRAND", "router"]

router = APIRouter(prefix="/api/v1/social", tags=["social"])

#: the simulated market's brand (real data: pass ?brand=)
DEFAULT_BRAND = "Pawsome"
_BRAND = Query(
    min_length=2,
    max_length=60,
    pattern=r"^[\w .&'-]+$",
    description="Brand name (handles and hashtags are derived).",
)


def _posts(svc: Service) -> pd.DataFrame:
    posts = svc.read(lambda st: st.read("posts"))
    if not len(posts):  # nothing ingested yet: a state of the store (409), not a bad request
        raise StoreError(
            "no posts in the store; ingest posts (micromix ingest posts FILE) or run micromix "
            "demo first"
        )
    return posts


@router.get("/amplify", summary="User content to amplify, ranked")
def amplify(
    request: Request,
    brand: Annotated[str, _BRAND] = DEFAULT_BRAND,
    top: Annotated[int, Query(ge=1, le=500)] = 25,
    who: Principal = requires("viewer"),
) -> Response:
    """Genuine user posts about the brand, ranked by amplification score with predicted paid
    performance and reasons (:func:`micromix.social.rank_for_amplification`)."""
    from micromix.social import BrandSpec, rank_for_amplification

    svc = request.app.state.service

    def compute() -> dict[str, Any]:
        ranked = rank_for_amplification(_posts(svc), BrandSpec(brand), top=top)
        return {"brand": brand, "rows": ranked}

    return json_response(svc.cached(("amplify", brand, top), compute))


@router.get("/listening", summary="Brand mentions, volume, sentiment and share of voice")
def listening(
    request: Request,
    brand: Annotated[str, _BRAND] = DEFAULT_BRAND,
    freq: Annotated[str, Query(pattern="^(D|W|MS)$")] = "D",
    who: Principal = requires("viewer"),
) -> Response:
    """Social listening over the store's posts (:func:`micromix.social.listen`)."""
    from micromix.social import BrandSpec, listen

    svc = request.app.state.service

    def compute() -> dict[str, Any]:
        res = listen(_posts(svc), BrandSpec(brand), freq=freq)
        return res.to_dict()

    return json_response(svc.cached(("listening", brand, freq), compute))
