"""The words a creator brief's notes use to say what to change, light enough for any caller.

:data:`BRIEF_HINTS` lives here, not in :mod:`micromix.influencers.discovery`, so the report
and the delivery layers can name a brief's fields without loading the discovery code and its
scientific stack; :mod:`~micromix.influencers.discovery` re-exports it.

Quickstart
----------
>>> from micromix.influencers.hints import BRIEF_HINTS
>>> BRIEF_HINTS["budget"]
'raise the budget'
"""

from __future__ import annotations

__all__ = ["BRIEF_HINTS"]

#: what :func:`~micromix.influencers.discovery.why_none` and a niche brief on creators without
#: niches ask to change, by the brief's field, in words every caller can show (the API, the
#: dashboard, the report); a delivery layer with options of its own puts them in their place
#: (the CLI: ``--budget``)
BRIEF_HINTS: dict[str, str] = {
    "budget": "raise the budget",
    "posts": "pass their posts",
    "niche": "change the niche",
    "any_niche": "ask for any niche to rank them all",
    "min_authenticity": "lower the minimum authenticity",
    "unknown_authenticity": "keep creators of unknown authenticity",
    "platform": "drop the platform",
    "country": "drop the country",
}
