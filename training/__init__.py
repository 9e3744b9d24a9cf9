"""Builds the artefacts in `models/` from corpora and measures them; also the command line."""
