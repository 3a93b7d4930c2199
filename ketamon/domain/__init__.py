"""Plain-Python clinical rules. No Qt, no SQLAlchemy."""
