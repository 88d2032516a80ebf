"""micromix.metrics"""
