"""Screens: one module per section, modals beside them."""
