"""Every setting is documented in the README and in --help (datasette's test_docs idea)."""

from __future__ import annotations

from pathlib import Path

import pytest

from storyline.cli import build_parser
from storyline.errors import StorylineError
from storyline.settings import SETTINGS, Config

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_setting_documented(setting) -> None:  # type: ignore[no-untyped-def]
    assert setting.env in README, f"{setting.env} missing from README's settings table"
    assert setting.env in build_parser().format_help()


def test_env_and_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORYLINE_MAX_BYTES", "1234")
    assert Config.load().max_bytes == 1234
    assert Config.load(max_bytes=99).max_bytes == 99
    monkeypatch.setenv("STORYLINE_BATCH_SIZE", "many")
    with pytest.raises(StorylineError, match="E404"):
        Config.load()
