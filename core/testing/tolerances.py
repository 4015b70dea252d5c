"""One tolerance table for numeric tests: identities are checked in float64, training math in float32."""

from __future__ import annotations

import torch

#: dtype -> (rtol, atol)
TOL: dict[torch.dtype, tuple[float, float]] = {
    torch.float64: (1e-9, 1e-10),
    torch.float32: (1e-4, 1e-5),
    torch.bfloat16: (1.6e-2, 1e-2),
    torch.float16: (1e-3, 1e-3),
}


def tolerance(dtype: torch.dtype, scale: float = 1.0) -> dict[str, float]:
    """``{"rtol", "atol"}`` for ``dtype``; ``scale`` widens atol for ill-conditioned identities (e.g. a shift by c)."""
    rtol, atol = TOL[dtype]
    return {"rtol": rtol, "atol": atol * max(1.0, scale)}


def assert_close(actual, expected, *, scale: float = 1.0, msg: str | None = None) -> None:
    """``torch.testing.assert_close`` with the table's tolerance for the looser of the two dtypes."""
    a, e = torch.as_tensor(actual), torch.as_tensor(expected)
    dt = a.dtype if TOL.get(a.dtype, (0, 0))[0] >= TOL.get(e.dtype, (0, 0))[0] else e.dtype
    torch.testing.assert_close(a, e.to(a.dtype), check_dtype=False, msg=msg, **tolerance(dt if dt in TOL else torch.float32, scale))
