"""Screens of the «calls» section."""
