"""State of the simulations app."""
