"""condgan's public testing kit: hypothesis strategies, the dtype tolerance table, and the contract checks every
built-in component passes, callable on any third-party component; and small stand-ins for image datasets in their
real file format (:func:`write_fashion_mnist`), so tests of Fashion-MNIST presets run without the dataset.

>>> from condgan.testing import strategies as cst, assert_close, check_network, check_objective
"""

from .datasets import write_fashion_mnist
from .contracts import (check_dataset, check_network, check_objective, check_prior, check_registered, tiny_config,
                        write_tiny_config)
from .tolerances import TOL, assert_close, tolerance

__all__ = ["TOL", "assert_close", "tolerance", "check_network", "check_objective", "check_prior", "check_dataset",
           "check_registered", "tiny_config", "write_tiny_config", "write_fashion_mnist"]
