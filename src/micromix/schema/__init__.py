"""micromix.schema"""
