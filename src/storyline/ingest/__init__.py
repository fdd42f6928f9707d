"""Reading input: files → raw documents or coded rejections.

* :mod:`~storyline.ingest.walk` — which files are read (folders, symlinks that stay inside the inputs).
* :mod:`~storyline.ingest.readers` — one reader per format (text, HTML, JSONL/JSON, WARC, feeds, gzip).
* :mod:`~storyline.ingest.guard` — the guard every file is read behind, bounded rejections, safe text.
* :mod:`~storyline.ingest.meta` — container metadata mapped onto ours and type-checked.
* :mod:`~storyline.ingest.fuzzing` — the fuzzing harness (tests/test_fuzz_readers.py, bench/fuzz.py).
"""
