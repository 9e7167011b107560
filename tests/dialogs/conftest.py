"""Engine dialog tests run on a small sample questionnaire with every step kind."""

from pathlib import Path

import pytest


@pytest.fixture
def dialogs_dir() -> Path:
    return Path(__file__).parent / "sample_dialogs"
