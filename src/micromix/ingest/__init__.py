"""Ingest: read files, map real export layouts onto the data contracts, quarantine bad rows.

Quickstart
----------
>>> import pathlib, tempfile
>>> from micromix.ingest import ingest_file, list_formats
>>> from micromix.store import Store
>>> list_formats("ads")[:3]
['amazon_ads', 'canonical', 'google_ads']
>>> p = pathlib.Path(tempfile.mkdtemp()) / "creators.csv"
>>> _ = p.write_text("username,followers,category\\nmia_pets,12000,pet\\nbo,-5,pet\\n")
>>> rep = ingest_file(Store.open(":memory:"), "creators", p)
>>> (rep.accepted, rep.quarantined, rep.layout)
(1, 1, 'canonical')
"""

from __future__ import annotations

from micromix.ingest.ads_exports import (
    AdsExportFormat,
    GoogleAdsFormat,
    LinkedInAdsFormat,
    MetaAdsFormat,
    PinterestAdsFormat,
    SnapchatAdsFormat,
    SpotifyAdsFormat,
    TikTokAdsFormat,
    XAdsFormat,
)
from micromix.ingest.files import (
    FILE_FORMATS,
    RawTable,
    RowLimitError,
    decode_text,
    detect_file_format,
    read_raw,
    read_table,
    require_columns,
)
from micromix.ingest.formats import (
    FORMATS,
    CanonicalFormat,
    CreatorListFormat,
    FormatAdapter,
    Ga4BigQueryFormat,
    InstagramPostsFormat,
    KaggleFbAdsFormat,
    detect_format,
    get_format,
    list_formats,
    register_format,
)
from micromix.ingest.inspect import FileInspection, inspect_file
from micromix.ingest.lineage import ExportInfo
from micromix.ingest.pipeline import (
    IngestReport,
    OverlapError,
    PreparedFile,
    ingest_file,
    ingest_frame,
    prepare_file,
    validate_frame,
    write_prepared,
    write_validated,
)
from micromix.ingest.social_exports import (
    InfluencerRankingFormat,
    InstagramInsightsFormat,
    TikTokPostsFormat,
    XTweetActivityFormat,
)
from micromix.ingest.traffic_exports import GaReportFormat

__all__ = [
    "FILE_FORMATS",
    "FORMATS",
    "AdsExportFormat",
    "CanonicalFormat",
    "CreatorListFormat",
    "ExportInfo",
    "FileInspection",
    "FormatAdapter",
    "Ga4BigQueryFormat",
    "GaReportFormat",
    "GoogleAdsFormat",
    "InfluencerRankingFormat",
    "IngestReport",
    "InstagramInsightsFormat",
    "InstagramPostsFormat",
    "KaggleFbAdsFormat",
    "LinkedInAdsFormat",
    "MetaAdsFormat",
    "OverlapError",
    "PinterestAdsFormat",
    "PreparedFile",
    "RawTable",
    "RowLimitError",
    "SnapchatAdsFormat",
    "SpotifyAdsFormat",
    "TikTokAdsFormat",
    "TikTokPostsFormat",
    "XAdsFormat",
    "XTweetActivityFormat",
    "decode_text",
    "detect_file_format",
    "detect_format",
    "get_format",
    "ingest_file",
    "ingest_frame",
    "inspect_file",
    "list_formats",
    "prepare_file",
    "read_raw",
    "read_table",
    "register_format",
    "require_columns",
    "validate_frame",
    "write_prepared",
    "write_validated",
]
