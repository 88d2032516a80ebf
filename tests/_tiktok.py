"""A TikTok dump as tiktok-scraper writes it, for tests (``from _tiktok import scraper_dump``)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

#: handle, display name, bio, verified, likes, text
Author = tuple[str, str, str, bool, int, str]


def scraper_dump(path: Path, authors: Sequence[Author], *, first_id: int) -> Path:
    """One post per author in tiktok-scraper's layout (``authorMeta{}``, ``diggCount`` ...,
    under ``collector``), ids counting up from ``first_id``, written to ``path``."""
    rows = [
        {
            "id": str(first_id + i),
            "text": text,
            "createTime": 1_700_000_000 + 3_600 * i,
            "authorMeta": {"name": h, "nickName": n, "signature": b, "verified": v, "fans": 10},
            "diggCount": likes,
            "commentCount": 3,
            "shareCount": 1,
            "playCount": 10 * likes,
        }
        for i, (h, n, b, v, likes, text) in enumerate(authors)
    ]
    path.write_text(json.dumps({"headers": {}, "collector": rows}))
    return path
