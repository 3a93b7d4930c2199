"""Dialogs. Each modal one has an `ask(...)` classmethod so tests can replace it."""
