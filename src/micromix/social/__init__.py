"""micromix.social"""
