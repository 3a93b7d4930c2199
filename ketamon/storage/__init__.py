"""SQLAlchemy models, the engine with its pragmas, migrations at start-up."""
