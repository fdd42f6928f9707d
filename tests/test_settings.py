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


def test_corpus_parameters_match_the_code_defaults() -> None:
    """The settings table's corpus parameters are the defaults the corpus steps use."""
    from storyline.corpus.claims import MatchSettings
    from storyline.corpus.persist import ReuseSettings

    config = Config()
    assert config.reuse_threshold == ReuseSettings().threshold
    assert config.claim_threshold == MatchSettings().threshold
    from storyline.corpus.stories import StorySettings

    assert (config.story_threshold, config.episode_threshold) == (
        StorySettings().story_threshold, StorySettings().episode_threshold)


def test_float_settings_parse_and_refuse_out_of_range(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORYLINE_CLAIM_THRESHOLD", "0.6")
    assert Config.load().claim_threshold == 0.6
    monkeypatch.setenv("STORYLINE_CLAIM_THRESHOLD", "1.5")
    with pytest.raises(StorylineError, match="E404"):
        Config.load()
    monkeypatch.setenv("STORYLINE_CLAIM_THRESHOLD", "high")
    with pytest.raises(StorylineError, match="E404"):
        Config.load()


def test_settings_command_lists_every_setting(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    from storyline.cli import main

    monkeypatch.setenv("STORYLINE_WORKERS", "2")
    assert main(["settings", "--json"]) == 0
    rows = {r["name"]: r for r in map(json.loads, capsys.readouterr().out.splitlines())}
    assert set(rows) == {s.name for s in SETTINGS}
    assert rows["workers"]["value"] == 2 and rows["workers"]["source"] == "env"
    assert rows["claim_threshold"]["source"] == "default"
