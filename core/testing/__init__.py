"""Public testing kit for plugin authors."""
