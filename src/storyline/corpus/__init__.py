"""Corpus-level steps: copy detection (reuse), citation edges, provenance."""
