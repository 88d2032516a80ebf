"""micromix.optimize"""
