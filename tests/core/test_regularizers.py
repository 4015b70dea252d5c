"""Gradient regularizers: R1/R2 vanish for a discriminator constant in x; WGAN-GP is zero for a 1-Lipschitz linear critic."""

import torch
from hypothesis import given

from condgan.losses import r1_penalty, r2_penalty, wgan_gp_penalty
from condgan.testing import strategies as cst


@given(cst.image_batches())
def test_r1_r2_zero_for_constant_discriminator(x):
    x = x.clone().requires_grad_(True)
    values = x.sum(dim=(1, 2, 3)) * 0 + 3.0
    assert float(r1_penalty(values, x)) == 0.0
    assert float(r2_penalty(values, x)) == 0.0


@given(cst.image_batches(dtype=torch.float64))
def test_r1_equals_squared_weight_norm_for_linear_d(x):
    w = torch.randn(x[0].numel(), dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    x = x.clone().requires_grad_(True)
    torch.testing.assert_close(r1_penalty(x.flatten(1) @ w, x), w.pow(2).sum())


def test_wgan_gp_zero_for_unit_norm_linear_critic():
    w = torch.randn(6, dtype=torch.float64)
    w = w / w.norm()
    xr, xf = torch.randn(5, 6, dtype=torch.float64), torch.randn(5, 6, dtype=torch.float64)
    assert float(wgan_gp_penalty(lambda x: x @ w, xr, xf)) < 1e-12
