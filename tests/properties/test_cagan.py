"""Property tests of the CA-GAN plugin's losses (Cho & Yoon, IEEE Access; equation numbers of that text).

Identities in float64 (atol 1e-10); the float32 variant of the main identity uses rtol = atol = 1e-5.
"""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from condgan.builtins.adversarial import FAMILIES
from condgan import losses as CL
from condgan.plugins.cagan import losses as L

FAMILY_NAMES = sorted(FAMILIES)
REDUCTIONS = ("mean", "sum")
F64 = dict(atol=1e-10, rtol=1e-10)
F32 = dict(atol=1e-5, rtol=1e-5)

logit = st.floats(-5.0, 5.0, allow_nan=False, width=32)


@st.composite
def ca_inputs(draw, min_k: int = 1, max_k: int = 5):
    """Per-condition logits and random binary condition vectors for real and generated batches."""
    k = draw(st.integers(min_k, max_k))
    b_r = draw(st.integers(1, 6))
    b_g = draw(st.integers(1, 6))

    def matrix(rows, elements):
        return draw(st.lists(st.lists(elements, min_size=k, max_size=k), min_size=rows, max_size=rows))

    t_r = torch.tensor(matrix(b_r, logit), dtype=torch.float64)
    t_g = torch.tensor(matrix(b_g, logit), dtype=torch.float64)
    c_r = torch.tensor(matrix(b_r, st.booleans()), dtype=torch.float64)
    c_g = torch.tensor(matrix(b_g, st.booleans()), dtype=torch.float64)
    return t_r, c_r, t_g, c_g


def _grads(fn, *tensors):
    ts = [t.clone().requires_grad_(True) for t in tensors]
    value = fn(*ts)
    grads = torch.autograd.grad(value, ts, allow_unused=True)
    return value.detach(), [torch.zeros_like(t) if g is None else g for t, g in zip(ts, grads)]


@settings(deadline=None, max_examples=60)
@given(ca_inputs(), st.sampled_from(FAMILY_NAMES), st.sampled_from(REDUCTIONS))
def test_per_condition_sum_equals_inner_product(inputs, family_name, reduction):
    """CA-GAN Eqs. 11-14 (sum over conditions of each GAN's loss) equal Eqs. 17-18 (inner product with cnd), in
    value and in gradient, for every adversarial family, both reductions and random binary condition vectors."""
    t_r, c_r, t_g, c_g = inputs
    loss = L.family(family_name)

    d_sum, d_sum_grads = _grads(lambda a, b: L.per_condition_d_losses(a, c_r, b, c_g, loss, reduction).sum(), t_r, t_g)
    d_ip, d_ip_grads = _grads(lambda a, b: L.conditional_activation_d_loss(a, c_r, b, c_g, loss, reduction), t_r, t_g)
    torch.testing.assert_close(d_sum, d_ip, **F64)
    for a, b in zip(d_sum_grads, d_ip_grads):
        torch.testing.assert_close(a, b, **F64)

    g_sum, (g_sum_grad,) = _grads(lambda b: L.per_condition_g_losses(b, c_g, loss, reduction).sum(), t_g)
    g_ip, (g_ip_grad,) = _grads(lambda b: L.conditional_activation_g_loss(b, c_g, loss, reduction), t_g)
    torch.testing.assert_close(g_sum, g_ip, **F64)
    torch.testing.assert_close(g_sum_grad, g_ip_grad, **F64)


@settings(deadline=None, max_examples=30)
@given(ca_inputs(), st.sampled_from(FAMILY_NAMES))
def test_per_condition_sum_equals_inner_product_float32(inputs, family_name):
    """CA-GAN Eqs. 11-14 = 17-18 in float32 (rtol = atol = 1e-5)."""
    t_r, c_r, t_g, c_g = (t.float() for t in inputs)
    loss = L.family(family_name)
    torch.testing.assert_close(L.per_condition_d_losses(t_r, c_r, t_g, c_g, loss).sum(),
                               L.conditional_activation_d_loss(t_r, c_r, t_g, c_g, loss), **F32)
    torch.testing.assert_close(L.per_condition_g_losses(t_g, c_g, loss).sum(),
                               L.conditional_activation_g_loss(t_g, c_g, loss), **F32)


@settings(deadline=None, max_examples=40)
@given(ca_inputs(), st.sampled_from(REDUCTIONS))
def test_least_squares_family_is_eqs_15_16_19_20(inputs, reduction):
    """CA-GAN with the LSGAN family equals Eqs. 19-20 written out, and per condition Eqs. 15-16."""
    t_r, c_r, t_g, c_g = inputs
    torch.testing.assert_close(L.conditional_activation_d_loss(t_r, c_r, t_g, c_g, L.LEAST_SQUARES, reduction),
                               L.lsgan_conditional_activation_d_loss(t_r, c_r, t_g, c_g, reduction), **F64)
    torch.testing.assert_close(L.conditional_activation_g_loss(t_g, c_g, L.LEAST_SQUARES, reduction),
                               L.lsgan_conditional_activation_g_loss(t_g, c_g, reduction), **F64)
    # Eq. 15 for condition 0, written out over the rows that have it (joint expectation: divide by B)
    n_r = len(t_r) if reduction == "mean" else 1
    n_g = len(t_g) if reduction == "mean" else 1
    eq15 = ((t_r[c_r[:, 0] == 1, 0] - 1) ** 2).sum() / n_r + (t_g[c_g[:, 0] == 1, 0] ** 2).sum() / n_g
    torch.testing.assert_close(L.per_condition_d_losses(t_r, c_r, t_g, c_g, reduction=reduction)[0], eq15, **F64)


@settings(deadline=None, max_examples=60)
@given(ca_inputs(), st.sampled_from(FAMILY_NAMES), st.data())
def test_all_zero_condition_contributes_no_loss_and_no_gradient(inputs, family_name, data):
    """CA-GAN Eqs. 13-14/17-18: a sample whose condition vector is all zero activates no GAN: removing it leaves the
    (summed) loss unchanged and its logits receive exactly zero gradient, on the real and the generated side."""
    t_r, c_r, t_g, c_g = inputs
    loss = L.family(family_name)
    i = data.draw(st.integers(0, len(t_r) - 1))
    j = data.draw(st.integers(0, len(t_g) - 1))
    c_r[i] = 0.0
    c_g[j] = 0.0
    keep_r = torch.arange(len(t_r)) != i
    keep_g = torch.arange(len(t_g)) != j

    d_val, (g_r, g_g) = _grads(lambda a, b: L.conditional_activation_d_loss(a, c_r, b, c_g, loss, "sum"), t_r, t_g)
    assert torch.all(g_r[i] == 0) and torch.all(g_g[j] == 0)
    if keep_r.any() and keep_g.any():
        without = L.conditional_activation_d_loss(t_r[keep_r], c_r[keep_r], t_g[keep_g], c_g[keep_g], loss, "sum")
        torch.testing.assert_close(d_val, without, **F64)

    g_val, (gg,) = _grads(lambda b: L.conditional_activation_g_loss(b, c_g, loss, "sum"), t_g)
    assert torch.all(gg[j] == 0)
    if keep_g.any():
        torch.testing.assert_close(g_val, L.conditional_activation_g_loss(t_g[keep_g], c_g[keep_g], loss, "sum"), **F64)


@settings(deadline=None, max_examples=40)
@given(ca_inputs(), st.sampled_from(FAMILY_NAMES), st.sampled_from(REDUCTIONS))
def test_all_zero_batch_is_exactly_zero(inputs, family_name, reduction):
    """CA-GAN Eqs. 17-18: with every condition vector zero the loss is 0 and no logit gets a gradient; a condition
    that no sample activates has a zero per-condition loss (Eq. 13) and a zero gradient column."""
    t_r, _, t_g, _ = inputs
    loss = L.family(family_name)
    z_r, z_g = torch.zeros_like(t_r), torch.zeros_like(t_g)
    val, grads = _grads(lambda a, b: L.conditional_activation_d_loss(a, z_r, b, z_g, loss, reduction), t_r, t_g)
    assert float(val) == 0.0 and all(torch.all(g == 0) for g in grads)
    val, (gg,) = _grads(lambda b: L.conditional_activation_g_loss(b, z_g, loss, reduction), t_g)
    assert float(val) == 0.0 and torch.all(gg == 0)
    assert torch.all(L.per_condition_d_losses(t_r, z_r, t_g, z_g, loss, reduction) == 0)


@settings(deadline=None, max_examples=40)
@given(ca_inputs(min_k=1, max_k=1), st.sampled_from(FAMILY_NAMES), st.sampled_from(REDUCTIONS))
def test_single_always_active_condition_is_the_plain_gan_loss(inputs, family_name, reduction):
    """CA-GAN Eqs. 17-18 with one condition that every sample has (cnd = [1]) reduce to the plain GAN loss
    E[f_r^d(D(x))] + E[f_g^d(D(x'))] and E[f^g(D(x'))] of the same family."""
    t_r, _, t_g, _ = inputs
    loss = L.family(family_name)
    o_r, o_g = torch.ones_like(t_r), torch.ones_like(t_g)
    plain_d = CL.adversarial_d_loss(t_r[:, 0], t_g[:, 0], loss, reduction)
    plain_g = CL.adversarial_g_loss(t_g[:, 0], loss, reduction)
    torch.testing.assert_close(L.conditional_activation_d_loss(t_r, o_r, t_g, o_g, loss, reduction), plain_d, **F64)
    torch.testing.assert_close(L.conditional_activation_g_loss(t_g, o_g, loss, reduction), plain_g, **F64)
    expected_d = loss.d_real(t_r[:, 0]).sum() + loss.d_fake(t_g[:, 0]).sum() if reduction == "sum" else \
        loss.d_real(t_r[:, 0]).mean() + loss.d_fake(t_g[:, 0]).mean()
    torch.testing.assert_close(plain_d, expected_d, **F64)


@settings(deadline=None, max_examples=25)
@given(st.integers(0, 2**31 - 1), st.integers(2, 5), st.integers(1, 5), st.sampled_from(["softmax", "sigmoid"]))
def test_real_classification_loss_carries_no_gradient_to_generator(seed, k, batch, mode):
    """AC-GAN Eq. 2 and the remark under Eq. 6: L_cls^r in L_g does not involve G, so its gradient with respect to
    every generator parameter is zero and L_g with or without it gives G the same gradient."""
    gen = torch.Generator().manual_seed(seed)
    G = torch.nn.Linear(3 + k, 4).double()
    trunk = torch.nn.Linear(4, 6).double()
    adv, cls = torch.nn.Linear(6, 1).double(), torch.nn.Linear(6, k).double()
    for p in [*G.parameters(), *trunk.parameters(), *adv.parameters(), *cls.parameters()]:
        with torch.no_grad():
            p.copy_(torch.randn(p.shape, generator=gen, dtype=p.dtype))
    x_real = torch.randn(batch, 4, generator=gen, dtype=torch.float64)
    idx = torch.randint(k, (batch,), generator=gen)
    c_real = F.one_hot(idx, k).double() if mode == "softmax" else torch.randint(2, (batch, k), generator=gen).double()
    c_fake = F.one_hot(torch.randint(k, (batch,), generator=gen), k).double()
    z = torch.randn(batch, 3, generator=gen, dtype=torch.float64)
    x_fake = G(torch.cat([z, c_fake], 1))

    h_real, h_fake = torch.tanh(trunk(x_real)), torch.tanh(trunk(x_fake))
    l_cls_r = CL.classification_loss(cls(h_real), c_real, mode=mode)
    l_cls_g = CL.classification_loss(cls(h_fake), c_fake, mode=mode)
    l_adv_g = CL.adversarial_g_loss(adv(h_fake).squeeze(1), L.family("minimax"))
    params = list(G.parameters())

    grads_r = torch.autograd.grad(l_cls_r, params, allow_unused=True)
    assert all(g is None or torch.all(g == 0) for g in grads_r)
    with_r = torch.autograd.grad(CL.acgan_generator_loss(l_adv_g, l_cls_g, l_cls_r), params, retain_graph=True)
    without_r = torch.autograd.grad(CL.acgan_generator_loss(l_adv_g, l_cls_g), params)
    for a, b in zip(with_r, without_r):
        torch.testing.assert_close(a, b, **F64)


@settings(deadline=None, max_examples=40)
@given(st.integers(1, 6), st.integers(1, 4), st.integers(0, 2**31 - 1))
def test_softmax_over_binary_group_equals_sigmoid_bce(batch, attrs_, seed):
    """AC-GAN Eqs. 3-4 for binary attributes: a softmax over the group [a, not-a] (CA-GAN's encoding) gives the same
    cross-entropy as a sigmoid/BCE on the logit difference l_a - l_not-a, attribute by attribute."""
    gen = torch.Generator().manual_seed(seed)
    logits = torch.randn(batch, 2 * attrs_, generator=gen, dtype=torch.float64) * 3
    a = torch.randint(2, (batch, attrs_), generator=gen).double()
    c = torch.stack([a, 1 - a], dim=2).reshape(batch, 2 * attrs_)
    slices = tuple(slice(2 * i, 2 * i + 2) for i in range(attrs_))
    diff = logits[:, 0::2] - logits[:, 1::2]
    torch.testing.assert_close(CL.classification_loss(logits, c, slices, "softmax"),
                               CL.classification_loss(diff, CL.attribute_targets(c, slices), mode="sigmoid"), **F64)


@settings(deadline=None, max_examples=40)
@given(st.integers(1, 6), st.lists(st.integers(2, 4), min_size=1, max_size=3), st.integers(0, 2**31 - 1))
def test_grouped_softmax_is_sum_of_per_group_cross_entropies(batch, sizes, seed):
    """AC-GAN Eqs. 3-4 with groups of mutually exclusive conditions: -log D_cls(cnd|x) is the sum over groups of the
    usual cross-entropy (F.cross_entropy with integer labels)."""
    gen = torch.Generator().manual_seed(seed)
    k = sum(sizes)
    logits = torch.randn(batch, k, generator=gen, dtype=torch.float64) * 3
    labels = [torch.randint(s, (batch,), generator=gen) for s in sizes]
    c = torch.cat([F.one_hot(y, s).double() for y, s in zip(labels, sizes)], 1)
    starts = torch.tensor([0, *sizes]).cumsum(0).tolist()
    slices = tuple(slice(a, b) for a, b in zip(starts[:-1], starts[1:]))
    expected = sum(F.cross_entropy(logits[:, s], y) for s, y in zip(slices, labels))
    torch.testing.assert_close(CL.classification_loss(logits, c, slices), expected, **F64)


@settings(deadline=None, max_examples=30)
@given(st.floats(0.01, 10.0), st.floats(0.0, 2.0), st.floats(0.0, 5.0), st.floats(0.0, 5.0), st.floats(0.0, 5.0))
def test_acgan_switches_compose_eqs_1_2_7_8(lam, adv_w, l_adv, l_r, l_g):
    """AC-GAN Eq. 1 (λ=1, L_cls^g in D), Eq. 7 (L_cls^g switched off), Eq. 8 and the adversarial-free variants of
    Figs. 9-10 are the stated weighted sums."""
    a, r, g = (torch.tensor(v, dtype=torch.float64) for v in (l_adv, l_r, l_g))
    torch.testing.assert_close(CL.acgan_discriminator_loss(a, r, g), a + r + g, **F64)  # Eq. 1
    torch.testing.assert_close(CL.acgan_generator_loss(a, g, r), a + r + g, **F64)  # Eq. 2
    torch.testing.assert_close(CL.acgan_discriminator_loss(a, r, g, lambda_cls=lam, adv_weight=adv_w, cls_fake_in_d=False),
                               adv_w * a + lam * r, **F64)  # Eq. 7
    torch.testing.assert_close(CL.acgan_generator_loss(a, g, lambda_cls=lam, adv_weight=adv_w), adv_w * a + lam * g, **F64)
    torch.testing.assert_close(CL.acgan_discriminator_loss(a, r, g, adv_weight=0.0, cls_fake_in_d=True), r + g, **F64)


def test_cls_fake_switch_controls_gradient_to_fake_logits():
    """AC-GAN Eq. 7 vs Eq. 1: without L_cls^g in D's loss, D's classifier logits on generated data get no gradient."""
    logits_fake = torch.randn(4, 3, dtype=torch.float64, requires_grad=True)
    c = F.one_hot(torch.tensor([0, 1, 2, 0]), 3).double()
    l_r = torch.tensor(1.0, dtype=torch.float64)
    l_g = CL.classification_loss(logits_fake, c)
    off = CL.acgan_discriminator_loss(torch.tensor(0.0), l_r, l_g, cls_fake_in_d=False)
    assert not off.requires_grad
    on = CL.acgan_discriminator_loss(torch.tensor(0.0), l_r, l_g, cls_fake_in_d=True)
    (g,) = torch.autograd.grad(on, logits_fake)
    assert g.abs().sum() > 0


def test_unknown_family_and_reduction_are_named():
    with pytest.raises(ValueError, match="unknown adversarial loss family 'lsgan'"):
        L.family("lsgan")
    with pytest.raises(ValueError, match="reduction must be"):
        CL.reduce(torch.ones(2), "avg")
    with pytest.raises(ValueError, match="per-condition form"):
        L.per_condition_g_losses(torch.ones(1, 2), torch.ones(1, 2), reduction="none")
