"""micromix: decide between and combine user-generated micro-moments and paid social,
microtargeting and mass targeting, micro-influencers and bigger creators - and detect
micro-moments as they happen.

Quickstart
----------
>>> import micromix
>>> isinstance(micromix.__version__, str)
True

See the README for the CLI tour and the Python API of each domain package.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
