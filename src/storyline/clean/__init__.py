"""Cleaning: turn a decoded input into article text plus the metadata found in it.

* :mod:`storyline.clean.plaintext` — :func:`clean_plaintext` for scraped plain text.
* :mod:`storyline.clean.dates` — publication dates from URLs, metadata and text, and the choice.
* :mod:`storyline.clean.outlets` — the outlet list: URL → publisher, name → canonical outlet.
"""
