"""Core: the clock, the signed-in actor, text and phone helpers, store-file checks. No Textual, no peewee."""
