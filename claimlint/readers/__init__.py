"""Readers turn source text into a Document; they know nothing of rules or output."""
