"""KetaMon: session monitoring for ketamine infusion rooms."""

__version__ = "0.1.0"
