"""Plugin uacgan (in progress)."""
