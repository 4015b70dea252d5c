"""Plugin cagan (in progress)."""
