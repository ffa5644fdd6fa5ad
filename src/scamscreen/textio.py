"""Turn bytes from a file or a pipe into text, or say clearly why they are not text."""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import BinaryIO

from scamscreen.errors import InputError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Reading stops past this size, so that /dev/zero or an endless pipe cannot exhaust memory. An
# advert is a few KB, and only its first screener.MAX_CHARS characters are screened anyway.
MAX_INPUT_BYTES = 16 << 20
# Signatures of files people pass by mistake.
_BINARY_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"PK\x03\x04", b"%PDF", b"\x7fELF",
                 b"\x1f\x8b", b"BZh", b"7z\xbc\xaf")


def detect_encoding(data: bytes, *, complete: bool = True) -> str:
    """Name the encoding of ``data``: a BOM, else UTF-8 if it decodes, else the best guess of
    charset-normalizer (legacy Big5, GB18030, Shift-JIS, cp1252 ...).

    ``complete=False`` says that ``data`` is only the start of a stream: a character cut off at
    its end does not count against UTF-8."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    if data.startswith(_BINARY_MAGIC):
        raise InputError("this is a binary file (an image, archive or program), not text")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data, final=complete)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    if b"\x00" in data[:4096]:
        raise InputError("this looks like a binary file, not text (it contains NUL bytes)")
    from charset_normalizer import from_bytes  # deferred: only non-UTF-8 input needs it

    best = from_bytes(data[: 1 << 20]).best()
    if best is None:
        raise InputError("cannot tell the text encoding; name it with --encoding")
    return best.encoding


def decode(data: bytes, encoding: str | None = None) -> str:
    """Decode ``data`` with ``encoding``, or with the detected one."""
    name = encoding or detect_encoding(data)
    try:
        text = data.decode(name)
    except LookupError:
        raise InputError(f"unknown encoding '{name}'") from None
    except UnicodeDecodeError as error:
        raise InputError(f"the input is not valid {name} (byte {error.start}); "
                         "name the encoding with --encoding") from None
    if "\x00" in text:
        raise InputError("this looks like a binary file, not text (it contains NUL characters)")
    return text.removeprefix("\ufeff")


def read_limited(stream: BinaryIO, name: str) -> bytes:
    """Read all of ``stream``, refusing (without reading on) anything over MAX_INPUT_BYTES."""
    data = stream.read(MAX_INPUT_BYTES + 1)
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(f"{name} is larger than {MAX_INPUT_BYTES >> 20} MiB; an advert is a few "
                         "KB: is this the right input?")
    return data


def open_binary(path: Path) -> BinaryIO:
    """Open ``path`` for reading bytes, or say in one line why it cannot be."""
    try:
        return path.open("rb")
    except FileNotFoundError:
        raise InputError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise InputError(f"{path} is a directory, not a file") from None
    except OSError as error:
        raise InputError(f"cannot read {path}: {error.strerror}") from None


def read_text_file(path: Path, encoding: str | None = None) -> str:
    with open_binary(path) as stream:
        try:
            data = read_limited(stream, str(path))
        except OSError as error:
            raise InputError(f"cannot read {path}: {error.strerror}") from None
    return decode(data, encoding)
