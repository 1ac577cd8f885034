"""State of the training app."""
