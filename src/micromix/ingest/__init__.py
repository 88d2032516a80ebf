"""Ingest: read files, map real export layouts onto the data contracts, quarantine bad rows.

Quickstart
----------
>>> import pathlib, tempfile
>>> from micromix.ingest import ingest_file, list_formats
>>> from micromix.store import Store
>>> list_formats("ads")
['canonical', 'kaggle_fb_ads', 'meta_ads']
>>> p = pathlib.Path(tempfile.mkdtemp()) / "creators.csv"
>>> _ = p.write_text("username,followers,category\\nmia_pets,12000,pet\\nbo,-5,pet\\n")
>>> rep = ingest_file(Store.open(":memory:"), "creators", p)
>>> (rep.accepted, rep.quarantined, rep.layout)
(1, 1, 'canonical')
"""

from __future__ import annotations

from micromix.ingest.files import (
    FILE_FORMATS,
    RawTable,
    detect_file_format,
    read_raw,
    read_table,
    require_columns,
)
from micromix.ingest.formats import (
    CanonicalFormat,
    CreatorListFormat,
    FormatAdapter,
    Ga4BigQueryFormat,
    InstagramPostsFormat,
    KaggleFbAdsFormat,
    MetaAdsFormat,
    detect_format,
    get_format,
    list_formats,
    register_format,
)
from micromix.ingest.pipeline import (
    IngestReport,
    PreparedFile,
    ingest_file,
    ingest_frame,
    prepare_file,
    validate_frame,
    write_prepared,
)

__all__ = [
    "FILE_FORMATS",
    "CanonicalFormat",
    "CreatorListFormat",
    "FormatAdapter",
    "Ga4BigQueryFormat",
    "IngestReport",
    "InstagramPostsFormat",
    "KaggleFbAdsFormat",
    "MetaAdsFormat",
    "PreparedFile",
    "RawTable",
    "detect_file_format",
    "detect_format",
    "get_format",
    "ingest_file",
    "ingest_frame",
    "list_formats",
    "prepare_file",
    "read_raw",
    "read_table",
    "register_format",
    "require_columns",
    "validate_frame",
    "write_prepared",
]
