"""Bad input never kills a batch, is stored as a coded rejection, and loses nothing stored."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import storyline
from storyline.settings import Config
from storyline.store import Store

GOOD = (
    "Aid convoy reaches Aleppo\n\n"
    "An aid convoy of 40 trucks reached eastern Aleppo on Wednesday, the United Nations said.\n\n"
    "The convoy carried food and medicine for about 20,000 people, a UN spokesman said.\n"
)


def _bad_corpus(root: Path) -> dict[str, str]:
    """Write one file per kind of bad input; return {file name: expected code}."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "good.txt").write_text(GOOD)
    expected = {}
    (root / "empty.txt").write_bytes(b"")
    expected["empty.txt"] = "E106"
    (root / "blank.txt").write_text("   \n\n  \n")
    expected["blank.txt"] = "E106"
    (root / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(512))
    expected["image.txt"] = "E103"
    (root / "noise.bin").write_bytes(bytes(range(256)) * 8)
    expected["noise.bin"] = "E103"
    (root / "only-boilerplate.txt").write_text("Leave a Reply\n\nYour email address will not be published.\n")
    expected["only-boilerplate.txt"] = "E106"
    # malformed but with an article in it: kept, and the script never becomes text
    (root / "broken.html").write_bytes(
        b"<html><body><div><p>Troops entered the town of Manbij on Friday after a week of fighting, officials said."
        b"<p>Residents said <b>hundreds of families had fled <script>alert('x')</script> towards the river"
    )
    (root / "script-only.html").write_text("<html><body><script>document.write('<p>' + 'x'.repeat(500))</script></body></html>")
    expected["script-only.html"] = "E106"
    (root / "bad.jsonl").write_text('{"url": "u1", "text": "' + "Fine text of a report. " * 5 + '"}\n{oops\n')
    expected["bad.jsonl"] = "E105"
    (root / "dangling-link.txt").symlink_to(root / "does-not-exist.txt")
    expected["dangling-link.txt"] = "E101"
    (root / "duplicate.txt").write_text(GOOD)
    return expected


def test_bad_inputs_are_rejected_with_codes_and_the_rest_goes_on(store: Store, tmp_path: Path) -> None:
    expected = _bad_corpus(tmp_path / "in")
    summary = storyline.ingest(store, [tmp_path / "in"], progress=False)
    got = {Path(r.source_path).name: r.code for r in summary.rejections}
    assert got == expected
    # good.txt, its duplicate (one document), broken.html and the good JSONL line are kept
    assert summary.ingested == 3 and summary.unchanged == 1
    broken = next(d for d in store.iter_docs() if d.source_path.endswith("broken.html"))
    assert broken.text is not None
    assert "Manbij" in broken.text and "alert" not in broken.text
    stored = {Path(r.source_path).name: r.code for r in store.rejections()}
    assert stored == expected
    for r in store.rejections():
        assert r.message.startswith(f"[{r.code}]") and r.source_path in r.message or r.locator


def test_rejections_name_the_file_and_reason(store: Store, tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    [r] = storyline.ingest(store, [tmp_path], progress=False).rejections
    assert str(tmp_path / "empty.txt") in r.message and "empty" in r.message


def test_missing_path(store: Store, tmp_path: Path) -> None:
    [r] = storyline.ingest(store, [tmp_path / "nope"], progress=False).rejections
    assert r.code == "E101" and "nope" in r.message


def test_oversized_file_rejected_without_reading(tmp_path: Path) -> None:
    """A 200 MB file is refused by its size; peak memory stays far below it."""
    big = tmp_path / "huge.txt"
    with big.open("wb") as fh:  # sparse: 200 MB on paper, nothing on disk
        fh.truncate(200 * 1024 * 1024)
    (tmp_path / "good.txt").write_text(GOOD)
    code = (
        "import sys, storyline\n"
        "s = storyline.open_store(sys.argv[1])\n"
        # clean stage only: the spaCy model's own memory would hide what this test measures
        "r = storyline.ingest(s, [sys.argv[2]], progress=False, pipeline=storyline.Pipeline(['clean']),"
        " corpus_steps=False)\n"
        # VmHWM is this process's own peak (ru_maxrss would include the forking pytest's)
        "peak = [l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0]\n"
        "print(r.ingested, ''.join(x.code for x in r.rejections), peak)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "s.db"), str(tmp_path)],
        capture_output=True, text=True, check=True,
    ).stdout.split(maxsplit=2)
    assert out[0] == "1" and "E102" in out[1]
    assert int(out[2]) < 150 * 1024  # KiB: far below the file's 200 MB


def test_oversized_jsonl_line_skipped_rest_kept(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "big.jsonl"
    ok = json.dumps({"url": "https://e.org/1", "text": GOOD})
    huge = json.dumps({"url": "https://e.org/2", "text": "x " * 5000})
    f.write_text(ok + "\n" + huge + "\n" + ok.replace("/1", "/3") + "\n")
    s = storyline.ingest(store, [f], config=Config.load(max_bytes=2000), progress=False)
    assert s.ingested == 2
    assert [(r.locator, r.code) for r in s.rejections] == [("line 2", "E102")]


def test_nothing_stored_is_lost_when_a_later_batch_is_bad(store: Store, tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text(GOOD)
    storyline.ingest(store, [tmp_path / "good.txt"], progress=False)
    before = [d.to_record(full=True) for d in store.iter_docs()]
    _bad_corpus(tmp_path / "bad")
    (tmp_path / "bad" / "good.txt").unlink()
    (tmp_path / "bad" / "duplicate.txt").unlink()
    storyline.ingest(store, [tmp_path / "bad"], progress=False)
    after = {d.id: d.to_record(full=True) for d in store.iter_docs()}
    for rec in before:
        assert after[rec["id"]] == rec
    assert store.check() == []


def test_fixed_file_clears_its_rejection(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "later.txt"
    f.write_bytes(b"")
    storyline.ingest(store, [f], progress=False)
    assert len(store.rejections()) == 1
    f.write_text(GOOD)
    storyline.ingest(store, [f], progress=False)
    assert store.rejections() == []


def test_cli_exits_nonzero_and_lists_rejects(tmp_path: Path) -> None:
    _bad_corpus(tmp_path / "in")
    db = str(tmp_path / "cli.db")
    run = subprocess.run(
        [sys.executable, "-m", "storyline.cli", "ingest", str(tmp_path / "in"), "--db", db],
        capture_output=True, text=True,
    )
    assert run.returncode == 1
    assert "rejected" in run.stderr and "E103" in run.stderr
    rej = subprocess.run(
        [sys.executable, "-m", "storyline.cli", "rejects", "--db", db, "--json"],
        capture_output=True, text=True, check=True,
    )
    records = [json.loads(l) for l in rej.stdout.splitlines()]
    assert {"source_path", "stage", "code", "message"} <= set(records[0])
    assert len(records) == 8


def test_terminal_escapes_never_reach_output(store: Store, tmp_path: Path) -> None:
    """Hostile text: an ANSI escape sequence must not survive into text or metadata."""
    (tmp_path / "esc.txt").write_text("Title \x1b]0;pwned\x07here\n\n" + GOOD.split("\n\n", 1)[1].replace("Aleppo", "Aleppo\x1b[2J"))
    page = "<html><head><title>T\x1b[31m</title></head><body><p>" + "Troops entered Manbij on Friday, officials said. " * 3 + "\x1b[2J</p></body></html>"
    (tmp_path / "esc.html").write_text(page)
    (tmp_path / "esc.jsonl").write_text(json.dumps({"url": "https://e.org/x", "title": "bad\x1b[31m", "text": GOOD}) + "\n")
    s = storyline.ingest(store, [tmp_path], progress=False, pipeline=storyline.Pipeline(["clean"]), corpus_steps=False)
    assert s.rejected == 0, s.rejections
    for doc in store.iter_docs():
        rec = json.dumps(doc.to_record(full=True))
        assert "\\u001b" not in rec and "\\u0007" not in rec
