"""The served model: integrity checks, and the analyzer's promises."""

from __future__ import annotations

from pathlib import Path

import pytest

from scamscreen.errors import ModelError
from scamscreen.model import analyze, load_model, sha256_of, shipped_checksum, shipped_model_path


def test_shipped_model_matches_its_recorded_checksum() -> None:
    assert sha256_of(shipped_model_path().read_bytes()) == shipped_checksum()
    assert load_model().checksum == shipped_checksum()


def test_a_changed_model_is_refused_unless_trusted(tmp_path: Path) -> None:
    altered = tmp_path / "model.json"
    altered.write_bytes(
        shipped_model_path().read_bytes().replace(b'"intercept":', b'"intercept": ', 1)
    )
    with pytest.raises(ModelError, match="trust-model"):
        load_model(altered)
    assert load_model(altered, trust=True).terms


@pytest.mark.parametrize(
    "content",
    [b"\x80\x04\x95 not json, perhaps a pickle", b"[1, 2, 3]", b'{"format": "other"}'],
    ids=["pickle-like", "json-list", "foreign-format"],
)
def test_foreign_files_are_refused_even_when_trusted(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "model.json"
    path.write_bytes(content)
    with pytest.raises(ModelError):
        load_model(path, trust=True)


def test_masked_and_real_contacts_never_become_terms() -> None:
    terms = analyze(
        "Write #EMAIL_0a1b2c# or hr@example.com, ring #PHONE_ffee01# or +855 12 345 678, "
        "see https://example.com/jobs"
    )
    assert not any(w in t for t in terms for w in ("email", "phone", "example", "http", "jobs"))


def test_chinese_and_thai_become_character_bigrams() -> None:
    assert "包吃" in analyze("包吃包住") and "高薪" in analyze("高薪")
    assert any(len(t) == 2 for t in analyze("งานออนไลน์"))


def test_tiny_model_trained_on_samples_separates_them(tiny_model_path: Path) -> None:
    model = load_model(tiny_model_path, trust=True)
    scam = model.predict(
        "Free flights and accommodation, high salary, no experience, Telegram only"
    )
    legit = model.predict(
        "Registered NGO in Phnom Penh seeks programme officer; apply via our website"
    )
    assert scam.probability > legit.probability
