"""condgan: a plugin-based PyTorch framework for class-conditional GANs.

``import condgan`` is cheap: it imports neither torch nor a plugin. Every public name is loaded on first use
(a module ``__getattr__``, PEP 562), so ``condgan --version`` and ``condgan --help`` start in a fraction of a second.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

#: public name -> the module (relative to this package) that defines it
_EXPORTS: dict[str, str] = {
    "hookimpl": ".hookspecs",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'condgan' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # the next access is a plain attribute read
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
