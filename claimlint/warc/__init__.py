"""Web archives as a source: WARC/WET files and (file, offset, length) ranges read with warcio,
linted with ``claimlint.record.lint_record``, written as shards and merged into a scan store."""
