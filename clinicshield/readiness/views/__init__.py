"""Pages of the readiness app, split by what they show."""
