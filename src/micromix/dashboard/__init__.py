"""micromix.dashboard"""
