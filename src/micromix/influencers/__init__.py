"""micromix.influencers"""
