"""micromix.moments"""
