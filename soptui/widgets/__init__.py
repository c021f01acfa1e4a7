"""Reusable widgets: no database access, attributes down, messages up."""
