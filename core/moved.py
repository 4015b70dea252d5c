"""Old import paths of moved names: a module ``__getattr__`` (PEP 562) that still returns them for one release, with
a DeprecationWarning that names the new home.

>>> import warnings
>>> __getattr__ = moved_names("old.place", {"reduce": "condgan.losses"})
>>> with warnings.catch_warnings(record=True) as w:
...     warnings.simplefilter("always")
...     f = __getattr__("reduce")
>>> f.__module__, w[0].category.__name__
('condgan.losses', 'DeprecationWarning')
"""

from __future__ import annotations

import importlib
import warnings
from typing import Callable, Mapping


def moved_names(module: str, names: Mapping[str, str]) -> Callable[[str], object]:
    """A module ``__getattr__`` for ``module``: ``names`` maps each moved name to the module that now holds it
    (under the same name)."""

    def __getattr__(name: str):
        new = names.get(name)
        if new is None:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        warnings.warn(f"{module}.{name} moved to {new}.{name}; the old path goes in the next release",
                      DeprecationWarning, stacklevel=2)
        return getattr(importlib.import_module(new), name)

    return __getattr__
