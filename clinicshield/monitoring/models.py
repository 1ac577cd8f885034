"""State of the monitoring app."""
