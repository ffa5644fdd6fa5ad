"""Rewrite src/scamscreen/flags/parsed.json after editing a flag (see catalogue.PARSED_CACHE)."""

from pathlib import Path

from scamscreen.catalogue import write_parsed_cache

if __name__ == "__main__":
    directory = Path(__file__).resolve().parent.parent / "src" / "scamscreen" / "flags"
    print(f"wrote {write_parsed_cache(directory)}")
