"""examples/spark_lint.py on a real local Spark (``local[2]``, UI off, driver on 127.0.0.1):
the findings it writes to Parquet are those of ``claimlint warc`` on the same archive."""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from pathlib import Path

import pytest

pytest.importorskip("pyspark")
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    pytest.skip("Spark needs a Java runtime", allow_module_level=True)

from tests.archiveworld import capture_archive, write_wet  # noqa: E402
from tests.test_warc import cli, findings_of  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def recipe():  # noqa: ANN201
    spec = importlib.util.spec_from_file_location("spark_lint", ROOT / "examples" / "spark_lint.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def stop_spark(spark) -> None:  # noqa: ANN001
    """Stop Spark and wait for its JVM to exit: no process outlives the test."""
    from pyspark import SparkContext

    gateway = spark.sparkContext._gateway
    proc = getattr(gateway, "proc", None)
    spark.stop()
    gateway.shutdown()
    SparkContext._gateway = SparkContext._jvm = None
    if proc is not None:
        proc.stdin.close()  # the JVM exits when its parent's pipe closes
        proc.wait(timeout=60)


def test_spark_job_finds_what_claimlint_warc_finds(tmp_path, monkeypatch):
    import pyarrow.parquet as pq
    from pyspark.sql import SparkSession

    warc, wet = tmp_path / "a.warc.gz", tmp_path / "a.warc.wet.gz"
    capture_archive(warc)
    write_wet(warc, wet)
    inputs = tmp_path / "inputs.txt"
    inputs.write_text(f"{warc}\n{wet}\n")
    monkeypatch.setenv("PYSPARK_PYTHON", sys.executable)
    monkeypatch.setenv("PYSPARK_DRIVER_PYTHON", sys.executable)
    monkeypatch.setenv("SPARK_LOCAL_IP", "127.0.0.1")
    spark = (SparkSession.builder.master("local[2]").appName("claimlint-test")
             .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
             .config("spark.driver.bindAddress", "127.0.0.1").getOrCreate())
    try:
        recipe().run(spark, str(inputs), str(tmp_path / "out"), partitions=2)
    finally:
        stop_spark(spark)
    rows = pq.read_table(tmp_path / "out").to_pylist()
    db = tmp_path / "scan.db"
    assert cli("warc", str(warc), str(wet), "--db", str(db))[0] == 0
    assert sorted((r["url"], r["rule"], r["line"], r["column"]) for r in rows) == \
        sorted((u, rule, line, col) for u, rule, line, col, *_ in findings_of(db)) != []
    assert all(r["record_id"] and r["warc_file"] in (str(warc), str(wet)) for r in rows)
