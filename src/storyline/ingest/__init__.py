"""Readers that turn files into raw documents; see :mod:`storyline.ingest.readers`."""
