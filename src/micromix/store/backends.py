"""Engine selection: one setting picks where micromix computes.

``MICROMIX_BACKEND`` (or ``--backend``) takes a name or a connection URL:

==========================================  ==================================================
value                                       engine
==========================================  ==================================================
``duckdb`` (default)                        embedded DuckDB file (or a Parquet folder)
``pyspark``                                 Spark in local mode (``local[*]``)
``pyspark://local[2]``                      Spark local mode with 2 threads
``spark://host:7077``                       a Spark standalone cluster (its master URL)
``yarn`` / ``k8s://https://host:443``       Spark on YARN / Kubernetes (from a cluster node)
``sc://host:15002``                         a Spark Connect server
``bigquery://project/dataset``              BigQuery, queries pushed down through Ibis
``snowflake://user:pass@account/db/schema`` Snowflake, pushed down through Ibis
``databricks://...``                        Databricks SQL, pushed down through Ibis
==========================================  ==================================================

Warehouse backends are read-and-compute only: micromix builds the same Ibis expressions and
the warehouse runs them as SQL; load data there with the warehouse's own tools.

Quickstart
----------
>>> from micromix.store.backends import parse_backend
>>> parse_backend("duckdb").kind
'duckdb'
>>> spec = parse_backend("bigquery://my-project/marketing")
>>> (spec.kind, spec.url, spec.extra)
('bigquery', 'bigquery://my-project/marketing', 'bigquery')
>>> parse_backend("spark://10.0.0.5:7077").master
'spark://10.0.0.5:7077'
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from micromix.errors import ConfigError, MissingDependencyError

__all__ = [
    "BACKENDS",
    "SPARK_LOCAL_CONF",
    "WAREHOUSES",
    "BackendSpec",
    "connect_warehouse",
    "parse_backend",
    "spark_session",
    "stop_spark",
]

#: engine kinds a store can run on
BACKENDS: tuple[str, ...] = ("duckdb", "pyspark", "bigquery", "snowflake", "databricks")
#: warehouse kinds (SQL push-down through Ibis) -> the Ibis extra that provides them
WAREHOUSES: dict[str, str] = {
    "bigquery": "bigquery",
    "snowflake": "snowflake",
    "databricks": "databricks",
}
_SPARK_SCHEMES = ("pyspark", "spark", "sc", "k8s", "yarn", "local")

#: Spark settings micromix applies to a session it creates (each can be overridden)
SPARK_LOCAL_CONF: dict[str, str] = {
    "spark.sql.session.timeZone": "UTC",  # timestamps are naive UTC everywhere in micromix
    "spark.driver.memory": "4g",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.driver.host": "127.0.0.1",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "8",
    "spark.sql.adaptive.enabled": "true",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.parquet.inferTimestampNTZ.enabled": "true",
    "spark.sql.ansi.enabled": "false",  # x / 0 gives null (as in DuckDB), not an error
}


@dataclass(frozen=True)
class BackendSpec:
    """A parsed backend setting.

    Attributes
    ----------
    kind : str
        One of :data:`BACKENDS`.
    url : str
        The original setting.
    master : str or None
        Spark master URL (``local[*]``, ``spark://host:7077``, ``yarn`` ...), Spark only.
    remote : str or None
        Spark Connect URL (``sc://host:15002``), Spark only.
    extra : str or None
        The pip extra that provides the engine (``spark``, ``bigquery`` ...).
    options : dict
        Spark ``key=value`` settings given as URL query parameters.
    """

    kind: str
    url: str
    master: str | None = None
    remote: str | None = None
    extra: str | None = None
    options: dict[str, str] = field(default_factory=dict)

    @property
    def is_warehouse(self) -> bool:
        return self.kind in WAREHOUSES

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "url": self.url,
            "master": self.master,
            "remote": self.remote,
            "extra": self.extra,
            "options": dict(self.options),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> BackendSpec:
        return cls(**d)


def parse_backend(value: str | None) -> BackendSpec:
    """Parse a ``--backend`` / ``MICROMIX_BACKEND`` value (name or connection URL).

    Raises
    ------
    ConfigError
        For an unknown name or scheme, naming the allowed values.
    """
    raw = (value or "duckdb").strip()
    low = raw.lower()
    if low in ("duckdb", ""):
        return BackendSpec("duckdb", "duckdb")
    if low in ("pyspark", "spark"):
        return BackendSpec("pyspark", raw, master="local[*]", extra="spark")
    if low == "yarn":
        return BackendSpec("pyspark", raw, master="yarn", extra="spark")
    if low.startswith("local[") or low == "local":
        return BackendSpec("pyspark", raw, master=raw, extra="spark")
    if "://" not in raw:
        raise ConfigError(
            f"unknown backend {raw!r}; use duckdb, pyspark, or a URL such as spark://host:7077, "
            "sc://host:15002, bigquery://project/dataset, snowflake://user@account/db/schema "
            "or databricks://..."
        )
    scheme, rest = raw.split("://", 1)
    scheme = scheme.lower()
    base, _, query = rest.partition("?")
    options = dict(p.split("=", 1) for p in query.split("&") if "=" in p)
    if scheme == "pyspark":
        return BackendSpec(
            "pyspark", raw, master=base or "local[*]", extra="spark", options=options
        )
    if scheme in ("spark", "k8s"):
        return BackendSpec(
            "pyspark", raw, master=f"{scheme}://{base}", extra="spark", options=options
        )
    if scheme == "sc":
        return BackendSpec("pyspark", raw, remote=raw, extra="spark")
    if scheme in WAREHOUSES:
        parts = urlsplit(raw)
        if not (parts.netloc or parts.path.strip("/")):
            raise ConfigError(
                f"backend URL {raw!r} names no {scheme} location; use e.g. {_EXAMPLES[scheme]}"
            )
        return BackendSpec(scheme, raw, extra=WAREHOUSES[scheme])
    raise ConfigError(
        f"unknown backend scheme {scheme!r} in {raw!r}; use one of "
        f"{', '.join((*_SPARK_SCHEMES, *WAREHOUSES))}"
    )


_EXAMPLES = {
    "bigquery": "bigquery://my-project/my_dataset",
    "snowflake": "snowflake://user:password@account/database/schema?warehouse=WH",
    "databricks": "databricks://token:TOKEN@host/warehouse-http-path",
}


def connect_warehouse(spec: BackendSpec) -> Any:
    """Connect to a warehouse through Ibis (``ibis.connect(url)``).

    Raises
    ------
    MissingDependencyError
        When the Ibis extra for the warehouse is not installed, with the pip command.
    """
    if not spec.is_warehouse:
        raise ConfigError(f"{spec.url!r} is not a warehouse backend ({', '.join(WAREHOUSES)})")
    import ibis

    try:
        return ibis.connect(spec.url)
    except (ImportError, ModuleNotFoundError, AttributeError) as exc:
        raise MissingDependencyError(
            f"backend {spec.kind} needs the Ibis {spec.extra} driver, which is not installed "
            f"({exc.__class__.__name__}: {str(exc).splitlines()[0] if str(exc) else spec.kind}); "
            f"install it with: pip install 'ibis-framework[{spec.extra}]>=12,<13'"
        ) from exc


_SPARK_LOCK = threading.Lock()


def spark_session(spec: BackendSpec | None = None, conf: dict[str, str] | None = None) -> Any:
    """Get or create the process' SparkSession with micromix's defaults.

    Local mode binds to loopback only, uses UTC and 4 GB of driver memory unless ``conf``
    (or ``MICROMIX_SPARK_CONF="k=v,k=v"``) says otherwise. An existing active session is reused
    (its settings are left alone).

    Raises
    ------
    MissingDependencyError
        Without pyspark (``pip install 'micromix[spark]'``) or without a Java runtime.
    """
    spec = spec or parse_backend("pyspark")
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise MissingDependencyError(
            "backend pyspark needs pyspark and the Ibis pyspark driver; install them with: "
            "pip install 'micromix[spark]' (and a Java 17 runtime)"
        ) from exc
    with _SPARK_LOCK:
        active = SparkSession.getActiveSession()
        if active is not None:
            return active
        settings = dict(SPARK_LOCAL_CONF)
        settings.update(spec.options)
        env = os.environ.get("MICROMIX_SPARK_CONF", "")
        settings.update(dict(p.split("=", 1) for p in env.split(",") if "=" in p))
        settings.update(conf or {})
        builder = SparkSession.builder.appName("micromix")
        if spec.remote:
            builder = builder.remote(spec.remote)
        else:
            builder = builder.master(spec.master or "local[*]")
            if (spec.master or "local").startswith("local"):
                os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
            else:
                for k in ("spark.driver.bindAddress", "spark.driver.host"):
                    settings.pop(k, None)  # a cluster must reach the driver
        for k, v in settings.items():
            builder = builder.config(k, v)
        try:
            session = builder.getOrCreate()
        except Exception as exc:  # Java missing or failing to start
            msg = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
            raise MissingDependencyError(
                f"could not start Spark ({msg}); install a Java 17 runtime and check JAVA_HOME, "
                "or use --backend duckdb"
            ) from exc
        session.sparkContext.setLogLevel(os.environ.get("MICROMIX_SPARK_LOG_LEVEL", "FATAL"))
        return session


def stop_spark() -> None:
    """Stop the active SparkSession, if any (frees the JVM's memory)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        return
    with _SPARK_LOCK:
        s = SparkSession.getActiveSession()
        if s is not None:
            s.stop()
