"""Shared builders for the evaluation tests: small random feature sets, labels and probability rows."""

from __future__ import annotations

import pytest
import torch

from condgan.evaluation.metric import EvalInputs


def make_inputs(n_real: int = 120, n_fake: int = 90, k: int = 3, f: int = 4, seed: int = 0, shift: float = 0.5) -> EvalInputs:
    """Every field of EvalInputs filled with seeded random data (fakes shifted by ``shift``)."""
    g = torch.Generator().manual_seed(seed)
    xr = torch.randn(n_real, f, generator=g, dtype=torch.float64)
    xf = torch.randn(n_fake, f, generator=g, dtype=torch.float64) + shift
    yr, yf = torch.arange(n_real) % k, torch.arange(n_fake) % k
    pr = torch.softmax(3 * torch.randn(n_real, k, generator=g, dtype=torch.float64), 1)
    pf = torch.softmax(3 * torch.randn(n_fake, k, generator=g, dtype=torch.float64), 1)
    return EvalInputs(k, real_features=xr, real_labels=yr, real_probs=pr, real_samples=xr[:, :2],
                      real_model_labels=(yr + (torch.arange(n_real) % 5 == 0).long()) % k,
                      fake_features=xf, fake_labels=yf, fake_probs=pf, fake_samples=xf[:, :2])


@pytest.fixture
def inputs() -> EvalInputs:
    return make_inputs()


@pytest.fixture(name="make_inputs")
def make_inputs_fixture():
    return make_inputs
