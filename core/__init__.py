"""condgan: a plugin-based PyTorch framework for class-conditional GANs."""

from .hookspecs import hookimpl

__version__ = "0.1.0"

__all__ = ["hookimpl", "__version__"]
