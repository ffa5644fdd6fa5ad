"""`scamscreen check` and `scamscreen rules` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from scamscreen.cli import app
from tests.conftest import EXAMPLE_AD

runner = CliRunner()
BLATANT = (
    "Urgent! Customer service job in Sihanoukville, Cambodia. Salary 2000 USD, no experience "
    "needed, free accommodation and flights. Send your passport photo. Contact Telegram @hr_sunny88"
)


def _json(args: list[str], stdin: str | None = None) -> dict:
    result = runner.invoke(app, ["check", "--json", *args], input=stdin)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_check_json_has_the_documented_fields() -> None:
    data = _json([BLATANT])
    assert isinstance(data["score"], int) and 0 <= data["score"] <= 100
    assert data["band"] == "high"
    flag = data["flags"][0]
    for key in ("id", "title", "points", "evidence", "rationale", "sources", "advice"):
        assert key in flag
    for key in ("probability", "points", "terms_up", "terms_down"):
        assert key in data["classifier"]


def test_evidence_offsets_point_at_the_matched_text() -> None:
    data = _json([BLATANT])
    for flag in data["flags"]:
        for evidence in flag["evidence"]:
            assert BLATANT[evidence["start"] : evidence["end"]] == evidence["text"]


def test_check_reads_a_file_and_stdin_alike() -> None:
    text = EXAMPLE_AD.read_text(encoding="utf-8")
    from_file = _json(["--file", str(EXAMPLE_AD)])
    from_stdin = _json([], stdin=text)
    assert from_file["score"] == from_stdin["score"]
    assert from_file["band"] == "high"


def test_rendered_output_shows_score_band_and_flags() -> None:
    result = runner.invoke(app, ["check", BLATANT], env={"COLUMNS": "160"})
    assert result.exit_code == 0
    assert "HIGH RISK" in result.stdout and "/100" in result.stdout
    assert "SS-LURE-001 +" in result.stdout and "100/(1+e^" in result.stdout


def test_fail_on_sets_exit_status_for_scripts() -> None:
    assert runner.invoke(app, ["check", "--fail-on", "high", BLATANT]).exit_code == 1
    assert runner.invoke(app, ["check", "--fail-on", "high", "Nice weather today."]).exit_code == 0


def test_bad_input_is_a_one_line_error_with_status_2(tmp_path: Path) -> None:
    binary = tmp_path / "photo.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    cases = [
        ["check", "   "],
        ["check", "--file", str(tmp_path / "missing.txt")],
        ["check", "--file", str(binary)],
        ["check", "--fail-on", "extreme", "text"],
        ["check", "--prior", "1.5", "text"],
    ]
    for args in cases:
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output
        assert "error" in result.output.lower()


def test_rules_lists_and_shows_one_flag() -> None:
    listing = runner.invoke(app, ["rules"], env={"COLUMNS": "200"})
    assert listing.exit_code == 0 and "SS-CONTACT-001" in listing.stdout
    one = runner.invoke(app, ["rules", "SS-CONTACT-001"], env={"COLUMNS": "200"})
    assert one.exit_code == 0
    for heading in ("Why it matters", "Sources", "What to check next", "Patterns", "must match"):
        assert heading in one.stdout
    assert runner.invoke(app, ["rules", "SS-NOPE-999"]).exit_code == 2


def test_train_writes_a_model_that_check_can_use(tmp_path: Path, samples_path: Path) -> None:
    model = tmp_path / "m.json"
    result = runner.invoke(app, ["train", str(samples_path), "-o", str(model), "--c", "2"])
    assert result.exit_code == 0, result.output
    refused = runner.invoke(app, ["check", "--model", str(model), BLATANT])
    assert refused.exit_code == 2 and "--trust-model" in refused.output
    trusted = runner.invoke(
        app, ["check", "--json", "--model", str(model), "--trust-model", BLATANT]
    )
    assert trusted.exit_code == 0 and json.loads(trusted.stdout)["band"] == "high"
