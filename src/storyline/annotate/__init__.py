"""Annotation layer: entities, places, times and quantities found in cleaned article text."""
