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
from micromix.api.errors import ApiError, api_error
from micromix.api.security import Principal, requires
from micromix.api.service import Service
from micromix.errors import StoreError

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/social", tags=["social"])

_BRAND = Query(
    min_length=2,
    max_length=60,
    pattern=r"^[\w .&'-]+$",
    description=(
        "Brand name (handles and hashtags are derived). Default: the simulated market's own "
        "brand; on real data required (micromix does not guess a brand from the posts' "
        "mentions)."
    ),
)


def _brand(svc: Service, brand: str | None) -> str:
    """``brand`` as asked, else the store's own (:meth:`Service.brand`); never another's."""
    if brand:
        return brand
    _posts(svc)  # no posts at all: that is the problem to report (409), not the brand
    own = svc.brand()
    if own is None:
        raise ApiError(
            422,
            "brand_required",
            "brand is required: on real data micromix does not guess the brand from the posts' "
            "mentions (the most-mentioned account may be anyone's); name it with ?brand=YourBrand",
        )
    return own


def _posts(svc: Service) -> pd.DataFrame:
    """The store's posts; none ingested yet is a state of the store (409), not a bad request,
    said as the CLI says it (:func:`~micromix.social.files.read_store_posts`) without the
    server's path to its store."""
    from micromix.social.files import read_store_posts

    try:
        return svc.read(read_store_posts)
    except StoreError as exc:
        where = str(svc.store.path)
        raise api_error(exc, {f"the store {where}": "the store", where: "the store"}) from None


@router.get("/amplify", summary="User content to amplify, ranked")
def amplify(
    request: Request,
    brand: Annotated[str | None, _BRAND] = None,
    top: Annotated[int, Query(ge=1, le=500)] = 25,
    who: Principal = requires("viewer"),
) -> Response:
    """Genuine user posts about the brand, ranked by amplification score with predicted paid
    performance and reasons (:func:`micromix.social.rank_for_amplification`)."""
    from micromix.social import BrandSpec, rank_for_amplification

    svc = request.app.state.service
    name = _brand(svc, brand)

    def compute() -> dict[str, Any]:
        ranked = rank_for_amplification(_posts(svc), BrandSpec(name), top=top)
        # what the ranking could not do or assumed (one sentence each), as the CLI prints them
        notes = [ranked.attrs["note"]] if "note" in ranked.attrs else []
        notes += [n for n in ranked.attrs.get("notes", []) if n not in notes]
        # the currency of the predicted CPM/CPC/CPA (the default benchmark's: USD), as the CLI
        return {
            "brand": name,
            "currency": ranked.attrs["baseline"]["currency"],
            "rows": ranked,
            "notes": notes,
        }

    return json_response(svc.cached(("amplify", name, top), compute))


@router.get("/listening", summary="Brand mentions, volume, sentiment and share of voice")
def listening(
    request: Request,
    brand: Annotated[str | None, _BRAND] = None,
    freq: Annotated[str, Query(pattern="^(D|W|MS)$")] = "D",
    who: Principal = requires("viewer"),
) -> Response:
    """Social listening over the store's posts (:func:`micromix.social.listen`)."""
    from micromix.social import BrandSpec, listen

    svc = request.app.state.service
    name = _brand(svc, brand)

    def compute() -> dict[str, Any]:
        res = listen(_posts(svc), BrandSpec(name), freq=freq)
        return res.to_dict()

    return json_response(svc.cached(("listening", name, freq), compute))
