"""The plugin's own tests, written with condgan's public testing kit."""

import torch
from hypothesis import given, settings

from condgan import list_components
from condgan.testing import assert_close, check_objective
from condgan.testing import strategies as cst
from condgan_relativistic.losses import ra_d_loss, ra_g_loss


def test_plugin_is_discovered():
    assert "relativistic.ra_cgan" in list_components("objectives")
    assert list_components("presets", "relativistic.*") == ["relativistic.digits"]


def test_objective_contract():
    check_objective("relativistic.ra_cgan")


@settings(deadline=None, max_examples=30)
@given(cst.logits(classes=(1, 1)))
def test_a_constant_critic_gives_2_log_2(t):
    """A critic that gives every sample the same value c cannot tell real from fake: L_D = 2 log 2 for any c."""
    const = torch.full_like(t[:, 0], float(t[0, 0]))
    assert_close(ra_d_loss(const, const), 2 * torch.log(torch.tensor(2.0, dtype=torch.float64)))


@settings(deadline=None, max_examples=30)
@given(cst.logits(classes=(2, 2)))
def test_generator_loss_is_discriminator_loss_with_roles_swapped(t):
    assert_close(ra_g_loss(t[:, 0], t[:, 1]), ra_d_loss(t[:, 1], t[:, 0]))
