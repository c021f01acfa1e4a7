"""Screens of the «patronage» section."""
