"""micromix.measurement"""
