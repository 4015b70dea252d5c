"""Hand-computed values of UAC-GAN's losses (condgan.plugins.uacgan.losses; Han et al., "Unbiased Auxiliary
Classifier GANs with MINE"; MINE: Belghazi et al. 2018), written to kill the mutants that issue 15's mutation run
(.ci/mutation/run.py) left alive. Each test names the equation it checks; the values are worked out in the docstrings."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from condgan import losses as CL
from condgan.plugins.uacgan import losses as L

LOG3 = math.log(3.0)


def close(actual, expected, tol=1e-9):
    assert actual == pytest.approx(expected, abs=tol), (actual, expected)


def f64(*v):
    return torch.tensor(v, dtype=torch.float64)


def test_eq8_log_mean_exp_hand_values_with_and_without_weights():
    """The log E[e^T] of Eq. 8: T = [0, log 3] -> log((1 + 3)/2) = log 2; weights [1/4, 3/4] -> log(1/4 + 9/4) =
    log 2.5; along dim 1 of [[0, log 3], [log 5, log 7]] -> [log 2, log 6], along dim 0 [log 3, log 5]."""
    t = f64(0.0, LOG3)
    close(float(L.log_mean_exp(t)), math.log(2))
    close(float(L.log_mean_exp(t, 0, torch.log(f64(0.25, 0.75)))), math.log(2.5))
    close(L.log_mean_exp(f64(0.0, LOG3, math.log(5), math.log(7)).reshape(2, 2), 1).tolist(), [math.log(2), math.log(6)])
    close(L.log_mean_exp(f64(0.0, LOG3, math.log(5), math.log(7)).reshape(2, 2)).tolist(), [math.log(3), math.log(5)])


def test_eq8_donsker_varadhan_hand_values_with_and_without_weights():
    """Eq. 8: E_P[T] - log E_Q[e^T]. T_P = [1, 3], T_Q = [0, log 3]: 2 - log 2; with P-weights [1/4, 3/4]:
    2.5 - log 2; with Q-weights [1/4, 3/4]: 2 - log 2.5."""
    tj, tm = f64(1.0, 3.0), f64(0.0, LOG3)
    w = torch.log(f64(0.25, 0.75))
    close(float(L.donsker_varadhan(tj, tm)), 2 - math.log(2))
    close(float(L.donsker_varadhan(tj, tm, log_weights_joint=w)), 2.5 - math.log(2))
    close(float(L.donsker_varadhan(tj, tm, log_weights_marginal=w)), 2 - math.log(2.5))


def test_nwj_bound_hand_values_with_and_without_weights():
    """NWJ: E_P[T] - E_Q[e^{T-1}]. T_P = [1, 3], T_Q = [1, 1 + log 3]: 2 - (1 + 3)/2 = 0; Q-weights [1/4, 3/4]:
    2 - 2.5 = -0.5; P-weights [1/4, 3/4]: 2.5 - 2 = 0.5."""
    tj, tm = f64(1.0, 3.0), f64(1.0, 1.0 + LOG3)
    w = torch.log(f64(0.25, 0.75))
    close(float(L.nwj_bound(tj, tm)), 0.0)
    close(float(L.nwj_bound(tj, tm, log_weights_marginal=w)), -0.5)
    close(float(L.nwj_bound(tj, tm, log_weights_joint=w)), 0.5)


def test_mine_sec32_moving_average_value_and_gradient_by_hand():
    """MINE Sec. 3.2 (Belghazi et al. 2018), UAC-GAN Eq. 9 for T: T_Q = [0, log 3] gives et = 2; with the previous
    ma = 4 and rate 1/2 the average becomes 0.5·4 + 0.5·2 = 3 (updated before use); the surrogate's gradient in T_Q is
    (et/ma)·∇log et = (2/3)·softmax(T_Q) = (2/3)[1/4, 3/4]; in T_P it is -1/N; MI estimate mean T_P - log 2."""
    tj = f64(1.0, 2.0).requires_grad_(True)
    tm = f64(0.0, LOG3).requires_grad_(True)
    s = L.mine_ma_loss(tj, tm, torch.tensor(math.log(4.0), dtype=torch.float64), ma_rate=0.5)
    close(float(s.log_ma), math.log(3.0))
    close(float(s.mi), 1.5 - math.log(2))
    close(float(s.loss.detach()), -(1.5 - (2 / 3) * math.log(2)))
    s.loss.backward()
    close(tm.grad.tolist(), [2 / 3 * 0.25, 2 / 3 * 0.75])
    close(tj.grad.tolist(), [-0.5, -0.5])
    assert not s.mi.requires_grad and not s.log_ma.requires_grad


def test_mine_sec32_default_rate_and_first_step():
    """MINE Sec. 3.2 with the authors' rate 1e-3: ma = 0.999·4 + 0.001·2 = 3.998; at the first step (None or NaN) and
    at rate 1 the average is the batch's et = 2 (plain DV gradient)."""
    tm = f64(0.0, LOG3)
    close(float(L.mine_ma_loss(f64(1.0), tm, torch.tensor(math.log(4.0), dtype=torch.float64)).log_ma), math.log(3.998))
    for prev, rate in ((None, 0.5), (torch.tensor(float("nan"), dtype=torch.float64), 0.5),
                       (torch.tensor(math.log(4.0), dtype=torch.float64), 1.0)):
        s = L.mine_ma_loss(f64(1.0), tm, prev, ma_rate=rate)
        close(float(s.log_ma), math.log(2.0))
        close(float(s.loss), -(1.0 - math.log(2.0)))


def test_mine_shuffle_conditions_is_a_seeded_row_permutation():
    """Marginal samples (x_i, c_π(i)) for Eq. 9: the rows of c permuted by the generator's randperm."""
    c = torch.eye(5)
    got = L.shuffle_conditions(c, generator=torch.Generator().manual_seed(2))
    assert torch.equal(got, c[torch.randperm(5, generator=torch.Generator().manual_seed(2))])


def test_eq1_class_cross_entropy_and_twin_value_by_hand():
    """Eq. 1 (b)/(c): -Σ c_k log softmax(l)_k; logits [0, log 3] -> softmax [1/4, 3/4]: c = [0, 1] -> -log(3/4),
    soft c = [1/2, 1/2] -> -(log(1/4) + log(3/4))/2. Eq. 4: V_TAC = E log C^mi(G(z, y), y) = mean of the negatives."""
    logits = f64(0.0, LOG3, 0.0, LOG3).reshape(2, 2)
    c = f64(0.0, 1.0, 0.5, 0.5).reshape(2, 2)
    ce = [-math.log(0.75), -(math.log(0.25) + math.log(0.75)) / 2]
    close(CL.class_cross_entropy(logits, c, "none").tolist(), ce)
    close(float(L.tac_twin_value(logits, c)), -(ce[0] + ce[1]) / 2)


def test_eq1_a_gan_discriminator_loss_defaults_and_families():
    """Eq. 1 (a) for D: E_real -log σ(D(x)) + E_fake -log(1 - σ(D(G))) by default: real [0, 2], fake [1] ->
    (log 2 + softplus(-2))/2 + softplus(1); with hinge functions relu(1 - t) / relu(1 + t): (1 + 0)/2 + 2."""
    sp = lambda v: math.log1p(math.exp(v))  # noqa: E731
    close(float(CL.adversarial_d_loss(f64(0.0, 2.0), f64(1.0), CL.family("non_saturating"))), (math.log(2) + sp(-2.0)) / 2 + sp(1.0))
    close(float(CL.adversarial_d_loss(f64(0.0, 2.0), f64(1.0), CL.family("hinge"))),
          0.5 + 2.0)


def test_mine_sec33_adaptive_gradient_scale_by_hand():
    """MINE Sec. 3.3: s = min(||g_u||, ||g_m||)/||g_m||. Losses w·a and w·b have gradients a and b: |a| = 1, |b| = 2
    -> 1/2; |a| = 3, |b| = 2 -> 1; b = 0 -> 0 (the eps keeps it finite). Parameters without grad are left out."""
    w = f64(0.0, 0.0).requires_grad_(True)
    frozen = f64(5.0)  # requires_grad False: ignored
    unused = f64(1.0).requires_grad_(True)  # used by loss_main only: its missing MI gradient counts as 0
    close(float(L.adaptive_mi_scale(w @ f64(0.6, 0.8) + 0 * frozen.sum(), w @ f64(0.0, 2.0), [w, frozen])), 0.5)
    close(float(L.adaptive_mi_scale(w @ f64(3.0, 0.0), w @ f64(2.0, 0.0), [w])), 1.0)
    close(float(L.adaptive_mi_scale(w @ f64(3.0, 0.0) + 4 * unused.sum(), w @ f64(0.0, 2.0), [w, unused])), 1.0)
    close(float(L.adaptive_mi_scale(w @ f64(3.0, 0.0), w @ f64(0.0, 0.0), [w])), 0.0)
    s = L.adaptive_mi_scale(w @ f64(3.0, 0.0), w @ f64(2.0, 0.0), [w])
    assert not s.requires_grad


def test_eq2_eq3_entropy_cross_entropy_kl_by_hand():
    """Eqs. 2-3 in nats: H([1/2, 1/2]) = log 2, H([1, 0]) = 0; H(p, q) for p = [1/2, 1/2], q = [1/4, 3/4] is
    -(log 1/4 + log 3/4)/2; KL(p || q) = H(p, q) - H(p); with p(x) = [1/4, 3/4] over two x the expectations weight
    them: H(Y|X) = 1/4 log 2, E CE = 1/4 H(p,q) + 3/4 (-log 1/4) for the second x's p = [1, 0]."""
    p = f64(0.5, 0.5, 1.0, 0.0).reshape(2, 2)
    q = f64(0.25, 0.75, 0.25, 0.75).reshape(2, 2)
    px = f64(0.25, 0.75)
    h = [math.log(2), 0.0]
    ce = [-(math.log(0.25) + math.log(0.75)) / 2, -math.log(0.25)]
    close(L.entropy(p).tolist(), h)
    close(L.cross_entropy(p, q).tolist(), ce)
    close(L.kl_divergence(p, q).tolist(), [ce[0] - h[0], ce[1] - h[1]])
    close(float(L.conditional_entropy(p, px)), 0.25 * h[0])
    close(float(L.expected_cross_entropy(p, q, px)), 0.25 * ce[0] + 0.75 * ce[1])
    close(float(L.expected_kl(p, q, px)), 0.25 * (ce[0] - h[0]) + 0.75 * (ce[1] - h[1]))


def test_theorem1_pointwise_objective_and_minimiser_by_hand():
    """Theorem 1: Σ_k Q(k|x) (log Q^mi(k|x) - log Q^c(k|x)); Q = [1/4, 3/4], Q^mi = [1/2, 1/2], Q^c = [1/4, 3/4]:
    1/4 log 2 + 3/4 log(2/3); r = [log 2, log 2/3], its argmin is class 1."""
    lmi, lc = torch.log(f64(0.5, 0.5)), torch.log(f64(0.25, 0.75))
    close(float(L.twin_pointwise_objective(f64(0.25, 0.75), lmi, lc)), 0.25 * math.log(2) + 0.75 * math.log(2 / 3))
    assert L.theorem1_minimiser(lmi, lc).tolist() == [0.0, 1.0]
    assert L.theorem1_minimiser(lc, lmi).tolist() == [1.0, 0.0]


def test_eq2_kl_of_single_distributions_and_theorem1_row_by_row():
    """Eq. 2's KL over the last dim for one pair of distributions (1-D): KL([1/2, 1/2] || [1/4, 3/4]) =
    log 2 + (1/2) log(4/3)... = (1/2)(log 2 + log(2/3)); Theorem 1's minimiser row by row for a batch of posteriors:
    r = [[log 2, log 2/3], [log 2/3, log 2]] -> one-hots [0, 1], [1, 0]."""
    close(float(L.kl_divergence(f64(0.5, 0.5), f64(0.25, 0.75))), 0.5 * (math.log(2) + math.log(2 / 3)))
    lmi = torch.log(f64(0.5, 0.5, 0.5, 0.5)).reshape(2, 2)
    lc = torch.log(f64(0.25, 0.75, 0.75, 0.25)).reshape(2, 2)
    assert L.theorem1_minimiser(lmi, lc).tolist() == [[0.0, 1.0], [1.0, 0.0]]


def test_mine_sec33_adaptive_scale_edge_cases():
    """MINE Sec. 3.3's s = min(||g_u||, ||g_m||)/(||g_m|| + eps): a parameter that only the MI loss reaches counts with
    g_u = 0; an MI loss that reaches no parameter gives ||g_m|| = 0 and s = 0; ||g_m|| = eps = 1e-12 gives
    1e-12/2e-12 = 1/2 (finite)."""
    w = f64(0.0, 0.0).requires_grad_(True)
    only_mi = f64(0.0).requires_grad_(True)
    close(float(L.adaptive_mi_scale(w @ f64(3.0, 4.0), w @ f64(0.0, 2.0) + 0 * only_mi.sum(), [w, only_mi])), 1.0)
    close(float(L.adaptive_mi_scale(w @ f64(0.6, 0.8), w @ f64(0.0, 0.0) + only_mi.sum() * 2, [w, only_mi])), 0.5)
    other = f64(1.0).requires_grad_(True)
    close(float(L.adaptive_mi_scale(w @ f64(3.0, 0.0), other.sum(), [w])), 0.0)
    close(float(L.adaptive_mi_scale(w @ f64(3.0, 0.0), w @ f64(1e-12, 0.0), [w])), 0.5, 1e-6)


def test_eq2_cross_entropy_of_single_distributions():
    """H(p, q) over the last dim of a single pair (1-D): p = [1/2, 1/2], q = [1/4, 3/4] -> -(log 1/4 + log 3/4)/2;
    class_cross_entropy names its softmax dimension (no implicit-dim warning)."""
    import warnings

    close(float(L.cross_entropy(f64(0.5, 0.5), f64(0.25, 0.75))), -(math.log(0.25) + math.log(0.75)) / 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        CL.class_cross_entropy(torch.zeros(2, 3), torch.eye(3)[:2])


def test_mine_sec32_moving_average_keeps_the_datas_dtype():
    """MINE Sec. 3.2's moving average is state of T's estimate: a float64 average from a checkpoint is cast to the
    float32 T values, so the new average, the loss and its gradient stay float32."""
    s = L.mine_ma_loss(torch.tensor([1.0]), torch.tensor([0.0, 1.0]), torch.tensor(math.log(4.0), dtype=torch.float64),
                       ma_rate=0.5)
    assert s.log_ma.dtype == torch.float32 and s.loss.dtype == torch.float32


def test_uacgan_eq1_old_names_still_compute_the_moved_losses():
    """UAC-GAN Eq. 1 (a)-(c) terms under the names this module had before issue 17 moved them to condgan.losses: the
    per-sample class cross-entropy -log softmax(l)_y and the non-saturating D loss E softplus(-t_r) + E softplus(t_g),
    with a DeprecationWarning naming the new home."""
    import warnings as _w

    from condgan import losses as CL
    from condgan.plugins.uacgan import losses as U

    logits = torch.tensor([[2.0, 0.0, -1.0], [0.5, 0.5, 3.0]], dtype=torch.float64)
    c = torch.tensor([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], dtype=torch.float64)
    with pytest.warns(DeprecationWarning, match="condgan.losses.class_cross_entropy"):
        ce = U.class_cross_entropy
    expected = -(c * torch.log_softmax(logits, 1)).sum(1)
    assert torch.allclose(ce(logits, c), expected) and ce(logits, c).shape == (2,)
    t_r, t_f = torch.tensor([1.0, -2.0], dtype=torch.float64), torch.tensor([0.5, 3.0], dtype=torch.float64)
    with pytest.warns(DeprecationWarning, match="adversarial_d_loss"):
        gd = U.gan_discriminator_loss
    sp = torch.nn.functional.softplus
    assert float(gd(t_r, t_f)) == pytest.approx(float(sp(-t_r).mean() + sp(t_f).mean()))
    assert float(gd(t_r, t_f, CL.hinge_d_real, CL.hinge_d_fake)) == pytest.approx(
        float(torch.relu(1 - t_r).mean() + torch.relu(1 + t_f).mean()))
    with _w.catch_warnings(), pytest.raises(AttributeError):
        U.no_such_name
