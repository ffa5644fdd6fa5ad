"""Shared fixtures. Tests that need ../shared/data say so when they skip."""

from __future__ import annotations

from pathlib import Path

import pytest

from scamscreen.scoring import Assessment

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples" / "ads.jsonl"
EXAMPLE_AD = ROOT / "data" / "samples" / "example-ad.txt"
SHARED_DATA = ROOT.parent / "shared" / "data" / "emscad_train.csv"


def assert_offsets_point_at_their_text(text: str, assessment: Assessment) -> None:
    """Every flag's evidence and every contact quotes exactly the input at its offsets."""
    for result in assessment.flags:
        for evidence in result.evidence:
            assert 0 <= evidence.start < evidence.end <= len(text), evidence
            assert text[evidence.start : evidence.end] == evidence.text, evidence
    for contact in assessment.contacts:
        assert 0 <= contact.start < contact.end <= len(text), contact
        assert text[contact.start : contact.end] == contact.text, contact


@pytest.fixture(scope="session")
def samples_path() -> Path:
    return SAMPLES


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.exists():
        pytest.skip(
            f"needs the shared EMSCAD data at {SHARED_DATA} (present in CI, not in a clone)"
        )
    return SHARED_DATA


@pytest.fixture(scope="session")
def tiny_model_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small model trained on the project's own samples, as a user's clone can."""
    from scamscreen.training import fit, read_labelled, save

    path = tmp_path_factory.mktemp("model") / "tiny-model.json"
    save(fit(read_labelled(SAMPLES), c=4.0), path)
    return path
