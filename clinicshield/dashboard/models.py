"""State of the dashboard app."""
