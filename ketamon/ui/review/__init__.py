"""Physician review: the queue of finished sessions, signing and addenda (issue 7)."""
