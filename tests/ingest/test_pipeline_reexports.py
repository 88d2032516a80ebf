"""Names that lived in micromix.ingest.pipeline before it was split still import from there."""

from __future__ import annotations


def test_keep_unreported_and_scrape_fields_still_import_from_the_pipeline():
    from micromix.ingest import pipeline, write
    from micromix.ingest.pipeline import KEEP_UNREPORTED, SCRAPE_FIELDS

    assert KEEP_UNREPORTED is write.KEEP_UNREPORTED and "creators" in KEEP_UNREPORTED
    assert SCRAPE_FIELDS is write.SCRAPE_FIELDS and len(SCRAPE_FIELDS) > 0
    assert {"KEEP_UNREPORTED", "SCRAPE_FIELDS"} <= set(pipeline.__all__)
