"""micromix.api"""
