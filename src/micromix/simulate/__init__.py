"""micromix.simulate"""
