"""Stage registration and ordering: what a stage declares is checked when it is declared."""

from __future__ import annotations

import pytest

import storyline.pipeline as pl
from storyline.errors import StorylineError
from storyline.pipeline import Pipeline, Stage


def test_misspelt_slot_fails_at_registration() -> None:
    with pytest.raises(StorylineError) as err:
        pl.stage("t_typo", version="1", reads=("txt",), writes=("events",))
    assert err.value.code == "E207" and "'txt'" in str(err.value) and "text" in str(err.value)
    assert "t_typo" not in {s.name for s in pl.registered()}


def test_stage_reading_what_no_earlier_stage_writes_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    orphan = Stage("t_orphan", "1", ("attributions",), ("events",), lambda d: {"events": []})
    monkeypatch.setitem(pl._REGISTRY, orphan.name, orphan)
    with pytest.raises(StorylineError) as err:
        Pipeline(["t_orphan"])
    assert err.value.code == "E202" and "attributions" in str(err.value)


def test_builtin_stages_are_ordered_by_what_they_read() -> None:
    order = [s.name for s in Pipeline().stages]
    written: set[str] = set(pl.BASE_SLOTS)
    for s in Pipeline().stages:
        assert set(s.reads) <= written, (s.name, order)
        written.update(s.writes)
