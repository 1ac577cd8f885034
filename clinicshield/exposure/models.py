"""State of the exposure app."""
