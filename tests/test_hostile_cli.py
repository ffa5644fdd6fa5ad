"""`scamscreen check` on hostile input, as a real process: never a traceback, one line and exit 2
for what cannot be read."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

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


def _small_model(**changes: object) -> dict[str, object]:
    from scamscreen.model import shipped_model_path

    payload = json.loads(shipped_model_path().read_bytes())
    for key in ("terms", "idf", "coef"):
        payload[key] = payload[key][:200]
    payload.update(changes)
    return payload


BAD_MODELS = {
    "terms-not-text": _small_model(terms=[[1]] * 200),
    "nan-intercept": _small_model(intercept=float("nan")),
    "infinite-coef": _small_model(coef=[float("inf")] * 200),
    "huge-idf": _small_model(idf=[1e308] * 200),
    "calibration-not-numbers": _small_model(metadata={"calibration": {"rule_scale": "abc"}}),
    "calibration-a-list": _small_model(metadata={"calibration": [1, 2]}),
    "calibration-nan": _small_model(metadata={"calibration": {"offset": float("nan")}}),
    "calibration-prior-2": _small_model(metadata={"calibration": {"prior": 2}}),
    "metadata-a-string": _small_model(metadata="x"),
}


@pytest.mark.parametrize("name", BAD_MODELS)
def test_a_malformed_model_is_refused_in_one_line_even_when_trusted(tmp_path: Path, name: str
                                                                    ) -> None:
    path = tmp_path / "model.json"
    path.write_text(json.dumps(BAD_MODELS[name]))  # NaN and Infinity are JSON to Python
    from typer.testing import CliRunner

    from scamscreen.cli import app

    result = CliRunner().invoke(app, ["check", "--model", str(path), "--trust-model",
                                      "Contact us via Telegram, salary 2000 USD, no experience"])
    assert result.exit_code == 2, (result.output, result.exception)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "model file is malformed" in lines[0], result.stderr


def test_a_foreign_model_is_refused_in_one_line_naming_the_flag(tmp_path: Path) -> None:
    path = tmp_path / "model.pkl"
    path.write_bytes(b"\x80\x04\x95\x00\x00cos\nsystem\n")  # what a malicious pickle starts like
    result = run_cli("check", "--model", str(path), "Customer service job")
    assert result.returncode == 2
    stderr = result.stderr.decode()
    assert stderr.count("\n") == 1 and "--trust-model" in stderr, stderr
    trusted = run_cli("check", "--model", str(path), "--trust-model", "Customer service job")
    assert trusted.returncode == 2
    stderr = trusted.stderr.decode()
    assert stderr.count("\n") == 1 and "not a scamscreen model" in stderr, stderr
