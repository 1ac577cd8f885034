"""State of the readiness app."""
