"""micromix.ingest"""
