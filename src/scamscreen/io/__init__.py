"""Readers and writers for batch screening: CSV/TSV, JSON Lines, .xlsx workbooks, plain
text, folders of .txt."""
