"""Properties of the adversarial loss families (condgan.losses; registered by condgan.builtins.adversarial): minima, signs of gradients, identities."""

import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from condgan import losses as L
from condgan.builtins import adversarial as A
from condgan.testing import assert_close

finite = st.floats(-20, 20, allow_nan=False, allow_infinity=False)


def grad_of(fn, t: float) -> float:
    x = torch.tensor(t, dtype=torch.float64, requires_grad=True)
    fn(x).backward()
    return float(x.grad)


@given(finite)
def test_non_saturating_generator_gradient_pushes_logit_up(t):
    """-d/dt [-log σ(t)] = 1 - σ(t) > 0: G always increases D's logit on fakes, even where D is confident."""
    g = grad_of(L.non_saturating_g, t)
    assert g < 0
    assert_close(torch.tensor(g, dtype=torch.float64), -(1 - torch.sigmoid(torch.tensor(t, dtype=torch.float64))))


@given(finite)
def test_minimax_generator_saturates(t):
    """d/dt log(1 - σ(t)) = -σ(t): the gradient vanishes as D rejects fakes (t -> -inf), Goodfellow et al. Sec. 3."""
    assert_close(torch.tensor(grad_of(L.minimax_g, t), dtype=torch.float64), -torch.sigmoid(torch.tensor(t, dtype=torch.float64)))


@given(finite)
def test_bce_forms(t):
    x = torch.tensor([t], dtype=torch.float64)
    assert_close(L.minimax_d_real(x), F.binary_cross_entropy_with_logits(x, torch.ones_like(x), reduction="none"))
    assert_close(L.minimax_d_fake(x), F.binary_cross_entropy_with_logits(x, torch.zeros_like(x), reduction="none"))


@given(finite, finite)
def test_least_squares_minima(a, b):
    """(t - b)² is minimised (= 0) at t = b, and is >= 0 everywhere."""
    x = torch.tensor([a], dtype=torch.float64)
    assert float(L.least_squares_d_real(x, b)) >= 0
    assert float(L.least_squares_d_real(torch.tensor([b], dtype=torch.float64), b)) == 0.0
    assert float(L.least_squares_d_fake(torch.tensor([0.0], dtype=torch.float64))) == 0.0


@given(finite, finite)
def test_hinge_discriminator_loss_zero_iff_margins_met(tr, tf):
    """hinge D loss >= 0, and = 0 iff real >= 1 and fake <= -1."""
    loss = float(L.hinge_d_real(torch.tensor(tr)) + L.hinge_d_fake(torch.tensor(tf)))
    assert loss >= 0
    assert (loss == 0) == (tr >= 1 and tf <= -1)


@given(finite)
def test_wasserstein_is_linear(t):
    x = torch.tensor(t, dtype=torch.float64)
    assert float(L.wasserstein_d_real(x) + L.wasserstein_d_fake(x)) == 0.0
    assert grad_of(L.wasserstein_g, t) == -1.0


def test_every_family_is_registered(components):
    names = set(components["adversarial_losses"].names())
    assert {f"core.{n}" for n in A.FAMILIES} <= names
    for name in names:
        fam = components.get("adversarial_losses", name).build()
        t = torch.linspace(-3, 3, 7)
        for fn in (fam.d_real, fam.d_fake, fam.g):
            assert fn(t).shape == t.shape  # elementwise, no reduction
