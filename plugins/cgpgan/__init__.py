"""Plugin cgpgan (in progress)."""
