"""Where detection queries run: DuckDB in-process on one box, a Spark session for a chain.

Both read the same hive-partitioned Parquet store and get the same Ibis expressions; this
module only opens the connection. Spark needs Java (17) and the ``pyspark`` package; it is
imported only when asked for, so a clinic's box never starts a JVM.
"""

import os
from typing import Any

ENGINES = ("duckdb", "spark")


def connect(engine: str = "duckdb", *, spark_master: str = "", spark_memory: str = "") -> Any:
    """An Ibis connection on ``engine`` ("duckdb" or "spark").

    ``spark_master`` is a Spark master URL (``spark://host:7077`` for a chain's cluster);
    empty means a local session with two worker threads, bound to loopback only.
    """
    import ibis  # here, not at the top: ``clinicshield ingest`` never pays for it

    if engine == "duckdb":
        return ibis.duckdb.connect()
    if engine == "spark":
        return ibis.pyspark.connect(spark_session(spark_master, spark_memory))
    raise ValueError(f"unknown detection engine {engine!r}: expected one of {', '.join(ENGINES)}")


def spark_session(master: str = "", memory: str = "") -> Any:
    """A Spark session configured the way detectors expect (UTC session time zone)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:  # pragma: no cover - pyspark is a dependency
        raise RuntimeError("the spark detection engine needs the pyspark package") from exc
    builder = SparkSession.builder.appName("clinicshield-detection")
    if master:
        builder = builder.master(master)
    else:
        # A local session talks to nobody: driver and block manager on loopback only
        # (SPARK_LOCAL_IP too, or Spark picks the first network interface's address).
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        builder = (
            builder.master("local[2]")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
        )
    settings = {
        # Timestamps are stored and compared in UTC; Spark would otherwise use the JVM's zone.
        "spark.sql.session.timeZone": "UTC",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.driver.memory": memory or "1g",
        # Small stores: a few partitions per shuffle instead of Spark's default 200.
        "spark.sql.shuffle.partitions": "4",
        # Hive partition values (``day=2025-02-01``) stay strings, as on DuckDB.
        "spark.sql.sources.partitionColumnTypeInference.enabled": "false",
    }
    for key, value in settings.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    # Spark's INFO/WARN lines would drown the command's own output.
    session.sparkContext.setLogLevel("ERROR")
    return session
