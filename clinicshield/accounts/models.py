"""State of the accounts app."""
