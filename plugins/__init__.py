"""condgan's built-in plugins: one sub-package per paper. Each looks exactly like a third-party plugin."""

#: Built-in plugins, loaded through the same path as entry points: plugin name -> module.
DEFAULT_PLUGINS: dict[str, str] = {
    "core": "condgan.builtins.plugin",
    "cagan": "condgan.plugins.cagan",
    "amgan": "condgan.plugins.amgan",
    "cgpgan": "condgan.plugins.cgpgan",
    "uacgan": "condgan.plugins.uacgan",
    "projection": "condgan.plugins.projection",
    "adcgan": "condgan.plugins.adcgan",
    "reacgan": "condgan.plugins.reacgan",
    "p2gan": "condgan.plugins.p2gan",
}
