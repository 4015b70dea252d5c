"""condgan's public testing kit: hypothesis strategies, the dtype tolerance table, and the contract checks every
built-in component passes, callable on any third-party component.

>>> from condgan.testing import strategies as cst, assert_close, check_network, check_objective
"""

from .contracts import check_dataset, check_network, check_objective, check_prior, check_registered, tiny_config
from .tolerances import TOL, assert_close, tolerance

__all__ = ["TOL", "assert_close", "tolerance", "check_network", "check_objective", "check_prior", "check_dataset",
           "check_registered", "tiny_config"]
