"""micromix.reports"""
