"""micromix.social: brand listening, sentiment, user-content scoring and amplification.

Quickstart
----------
>>> import pandas as pd
>>> from micromix.social import BrandSpec, listen, score_sentiment
>>> score_sentiment(["@united on hold for 2 hours"])["sentiment"].tolist()
['negative']
"""

from __future__ import annotations

from micromix.social.disclosure import is_sponsored_text, sponsored_flags
from micromix.social.emv import EMVRates, earned_media_value
from micromix.social.listening import (
    BRAND_MIN_SHARE,
    BrandSpec,
    ListeningResult,
    detect_mentions,
    infer_brand,
    listen,
)
from micromix.social.sentiment import (
    SentimentScorer,
    ServiceSentiment,
    VaderSentiment,
    get_sentiment_scorer,
    score_sentiment,
    sentiment_scorers,
)
from micromix.social.ugc import (
    DEFAULT_BASELINE_NOTE,
    AdBaseline,
    AmplificationWeights,
    ad_baseline,
    classify_sources,
    rank_for_amplification,
)

__all__ = [
    "BRAND_MIN_SHARE",
    "DEFAULT_BASELINE_NOTE",
    "AdBaseline",
    "AmplificationWeights",
    "BrandSpec",
    "EMVRates",
    "ListeningResult",
    "SentimentScorer",
    "ServiceSentiment",
    "VaderSentiment",
    "ad_baseline",
    "classify_sources",
    "detect_mentions",
    "earned_media_value",
    "get_sentiment_scorer",
    "infer_brand",
    "is_sponsored_text",
    "listen",
    "rank_for_amplification",
    "score_sentiment",
    "sentiment_scorers",
    "sponsored_flags",
]
