"""Select before you lint: records of chosen domains from a columnar URL index (Common Crawl's
``cc-index-table`` Parquet files, or any Parquet with the same columns) as (file, offset, length)
ranges for ``claimlint warc --ranges``. Needs pyarrow (``pip install "claimlint[index]"``)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from claimlint.warc.job import Filters
from claimlint.warc.records import Range

COLUMNS = ["url", "url_host_registered_domain", "url_host_name", "fetch_status", "content_mime_detected",
           "warc_filename", "warc_record_offset", "warc_record_length"]
LINTABLE_MIME = ("text/html", "application/xhtml+xml", "text/plain")


def select_ranges(sources: Iterable[str], filters: Filters, *, prefix: str = "",
                  mime_types: tuple[str, ...] = LINTABLE_MIME) -> Iterator[Range]:
    """Ranges of successful HTML/text captures whose registered domain (or host) is in
    ``filters.domains`` and whose URL matches ``filters.url_pattern``. The domain and status
    tests are pushed down into the Parquet scan, so only matching row groups are decoded."""
    try:
        import pyarrow.compute as pc
        import pyarrow.dataset as ds
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise RuntimeError('reading a Parquet index needs pyarrow: pip install "claimlint[index]"') from exc
    dataset = ds.dataset(list(sources), format="parquet")
    names = set(dataset.schema.names)
    cond = pc.field("fetch_status") == 200
    if "content_mime_detected" in names:
        cond &= pc.field("content_mime_detected").isin(list(mime_types))
    if filters.domains:
        domains = sorted(filters.domains)
        by_domain = pc.field("url_host_registered_domain").isin(domains)
        if "url_host_name" in names:
            by_domain |= pc.field("url_host_name").isin(domains)
        cond &= by_domain
    columns = [c for c in COLUMNS if c in names]
    pattern = re.compile(filters.url_pattern) if filters.url_pattern else None
    for batch in dataset.to_batches(columns=columns, filter=cond):
        rows = batch.to_pydict()
        for url, name, offset, length in zip(rows["url"], rows["warc_filename"], rows["warc_record_offset"],
                                             rows["warc_record_length"]):
            if pattern is None or pattern.search(url):
                yield Range(f"{prefix.rstrip('/')}/{name}" if prefix else name, int(offset), int(length))


def write_ranges(ranges: Iterable[Range], out) -> int:  # noqa: ANN001
    """``file<TAB>offset<TAB>length`` lines (the ``--ranges`` format); returns how many."""
    n = 0
    for r in ranges:
        out.write(f"{r.location}\t{r.offset}\t{r.length}\n")
        n += 1
    return n
