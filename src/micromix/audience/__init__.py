"""micromix.audience"""
