"""PySide6 widgets. Widgets call services through the controller; never the database."""
