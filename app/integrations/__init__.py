"""Thin clients over outside services. No Flask request objects here."""
