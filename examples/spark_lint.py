"""Spark recipe: lint web archives with claimlint on an existing Spark cluster, in the style of
cc-pyspark (https://github.com/commoncrawl/cc-pyspark). Each Spark task reads its WARC/WET files
(or byte ranges selected from the columnar index) with claimlint's reader and calls the same
``lint_record`` that ``claimlint crawl``, ``claimlint warc`` and the Dask engine call, so the
findings are the same whichever engine ran them. The output is a Parquet table with one row per
finding and its evidence pointer.

    pip install "claimlint" pyspark          # claimlint must be installed on every executor
    spark-submit examples/spark_lint.py INPUT_LIST OUTPUT_DIR [--partitions N]

INPUT_LIST is a text file with one WARC/WET path or URL per line, or ``file offset length``
lines (the output of ``claimlint index``). Paths must be readable from every executor (a shared
file system, or https://data.commoncrawl.org/... URLs, read with HTTP range requests).

``parse_input`` and ``lint_inputs`` do not import pyspark, so they can be tested and reused
without it; the tests also run ``run`` on a local Spark (``local[2]``) when pyspark is installed.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator

FIELDS = ["url", "domain", "rule", "category", "severity", "claim", "sentence", "line", "column",
          "warc_file", "warc_offset", "warc_length", "record_id", "payload_digest", "capture_date"]


def parse_input(line: str) -> tuple[str, int | None, int | None] | None:
    """An input line as ``(location, offset, length)``; offset and length None for a whole file."""
    fields = line.split("#", 1)[0].split()
    if not fields:
        return None
    if len(fields) == 3:
        return fields[0], int(fields[1]), int(fields[2])
    return fields[0], None, None


def lint_inputs(items: Iterable[tuple[str, int | None, int | None]]) -> Iterator[dict]:
    """One dict per finding (FIELDS) for the given inputs; a Spark ``mapPartitions`` function.
    Damaged records are skipped here (``claimlint warc`` reports them in its store)."""
    from claimlint.crawl.urls import host_of, registered_domain
    from claimlint.record import lint_records
    from claimlint.warc.job import Filters, skip_reason
    from claimlint.warc.records import Capture, Range, read_range, read_records

    def captures() -> Iterator[Capture]:
        for location, offset, length in items:
            source = (read_records(location) if offset is None
                      else read_range(Range(location, offset, length)))
            for item in source:
                if isinstance(item, Capture) and skip_reason(item, Filters()) is None:
                    yield item

    batch: list[Capture] = []

    def flush() -> Iterator[dict]:
        headers = [c.http_headers or [("Content-Type", c.content_type or "")] for c in batch]
        results = lint_records([(c.body, c.target_uri, h) for c, h in zip(batch, headers)])
        for c, result in zip(batch, results):
            for f in result.findings:
                yield {"url": c.target_uri, "domain": registered_domain(host_of(c.target_uri)),
                       "rule": f.rule, "category": f.category, "severity": f.severity, "claim": f.text,
                       "sentence": f.sentence, "line": f.line, "column": f.column,
                       "warc_file": c.warc_file, "warc_offset": c.offset, "warc_length": c.length,
                       "record_id": c.record_id, "payload_digest": c.payload_digest,
                       "capture_date": c.date}
        batch.clear()

    for capture in captures():
        batch.append(capture)
        if len(batch) >= 32:
            yield from flush()
    if batch:
        yield from flush()


def run(spark, input_list: str, output_dir: str, partitions: int | None = None) -> None:  # noqa: ANN001
    """The job on a SparkSession: inputs -> ``lint_inputs`` per partition -> Parquet."""
    from pyspark.sql.types import IntegerType, LongType, StringType, StructField, StructType

    lines = spark.sparkContext.textFile(input_list, minPartitions=partitions or 2)
    inputs = lines.map(parse_input).filter(lambda item: item is not None)
    if partitions:
        inputs = inputs.repartition(partitions)
    rows = inputs.mapPartitions(lint_inputs)
    types = {"line": IntegerType(), "column": IntegerType(), "warc_offset": LongType(),
             "warc_length": LongType()}
    schema = StructType([StructField(name, types.get(name, StringType())) for name in FIELDS])
    spark.createDataFrame(rows.map(lambda d: tuple(d[k] for k in FIELDS)), schema) \
        .write.mode("overwrite").parquet(output_dir)


def main(argv: list[str]) -> None:  # pragma: no cover - run by spark-submit
    import argparse

    from pyspark.sql import SparkSession

    parser = argparse.ArgumentParser(description="Lint web archives with claimlint on Spark.")
    parser.add_argument("input_list")
    parser.add_argument("output_dir")
    parser.add_argument("--partitions", type=int, default=None)
    parser.add_argument("--master", default=None, help="e.g. local[2]; spark-submit sets it otherwise")
    args = parser.parse_args(argv)
    builder = SparkSession.builder.appName("claimlint-warc")
    if args.master:
        builder = builder.master(args.master)
    spark = builder.getOrCreate()
    try:
        run(spark, args.input_list, args.output_dir, args.partitions)
    finally:
        spark.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
