"""Screens of the «clients» section."""
