"""Plugin amgan (in progress)."""
