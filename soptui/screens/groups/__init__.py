"""Screens of the «groups» section."""
