"""Screens of the «journal» section."""
