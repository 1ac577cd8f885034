"""The top of the house: the verbs that span every app (serve, run-due, demo)."""
