"""micromix.store"""
