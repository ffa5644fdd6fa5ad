"""Readers and writers for batch screening: CSV/TSV, JSON Lines, plain text, folders of .txt."""
