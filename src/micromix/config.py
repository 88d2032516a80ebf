"""One configuration path for micromix.

Explicit arguments win over ``MICROMIX_*`` environment variables, which win over the named
defaults below.

Quickstart
----------
>>> from micromix.config import Settings
>>> Settings(db="/tmp/x.duckdb").db
'/tmp/x.duckdb'
"""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = [
    "ANALYSIS_N_BOOT",
    "ANALYSIS_SEED",
    "DEFAULT_BACKEND",
    "DEFAULT_DB",
    "Settings",
    "get_settings",
]

#: default embedded database file
DEFAULT_DB = "micromix.duckdb"
#: default engine behind the store
DEFAULT_BACKEND = "duckdb"
#: bootstrap replicates and seed of the analysis wherever it is read (the demo's report,
#: ``micromix report``/``plan``/``compare``, the API and the dashboard): one store gives a
#: marketer the same figures in each
ANALYSIS_N_BOOT = 200
ANALYSIS_SEED = 0


class Settings(BaseSettings):
    """Service and CLI settings (environment prefix ``MICROMIX_``)."""

    model_config = SettingsConfigDict(env_prefix="MICROMIX_", extra="ignore")

    db: str = DEFAULT_DB
    backend: str = DEFAULT_BACKEND
    host: str = "127.0.0.1"
    port: int = 8000


def get_settings(**overrides: object) -> Settings:
    """Settings from the environment, with explicit non-None ``overrides`` applied on top."""
    clean = {k: v for k, v in overrides.items() if v is not None}
    return Settings(**clean)  # type: ignore[arg-type]
