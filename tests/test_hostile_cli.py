"""`scamscreen check` on hostile input, as a real process: never a traceback, one line and exit 2
for what cannot be read."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest


def run_cli(*args: str | bytes, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    # Strict UTF-8 output: a lone surrogate reaching stdout would be a UnicodeEncodeError.
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "COLUMNS": "120"}
    return subprocess.run([sys.executable, "-m", "scamscreen", *args], input=stdin,
                          capture_output=True, env=env, timeout=60, check=False)


@pytest.mark.parametrize("as_json", [True, False], ids=["json", "rendered"])
def test_argument_bytes_that_are_not_utf8_are_decoded_not_crashed_on(as_json: bool) -> None:
    args = ["check", "--json"] if as_json else ["check"]
    result = run_cli(*args, b"Job \xff\xfe abroad, contact us via telegram")
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    assert b"Traceback" not in result.stderr
    if as_json:
        assert "SS-CONTACT-001" in [f["id"] for f in json.loads(result.stdout)["flags"]]


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
@pytest.mark.parametrize("source", ["file", "stdin"])
def test_endless_input_is_refused_not_read_into_memory(source: str) -> None:
    # /dev/zero, or `yes | scamscreen check`: reading stops at MAX_INPUT_BYTES.
    if source == "file":
        result = run_cli("check", "--file", "/dev/zero")
    else:
        from scamscreen.textio import MAX_INPUT_BYTES

        result = run_cli("check", stdin=b"y\n" * (MAX_INPUT_BYTES // 2 + 1))
    assert result.returncode == 2
    stderr = result.stderr.decode()
    assert stderr.count("\n") == 1 and "larger than" in stderr, stderr
