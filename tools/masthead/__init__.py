"""masthead: a publishing system for a magazine written by a people's editorial board."""

__version__ = "0.1.0"
