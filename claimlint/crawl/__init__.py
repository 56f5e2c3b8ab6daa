"""Crawling many clinic sites politely, keeping evidence, storing results in SQLite, reporting."""
