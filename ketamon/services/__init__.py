"""Use cases: one transaction each, an acting user for every change."""
