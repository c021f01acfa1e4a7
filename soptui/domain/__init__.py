"""The SOP rules as plain Python: working days and deadlines, labels, validators, patronage, groups, calls.

Nothing here imports Textual, peewee or the services: every function is testable on plain values.
"""
