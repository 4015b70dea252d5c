"""Mutation-killing tests for core/evaluation/kernels.py and core/evaluation/mmd.py (issue 15).

The kernels and the estimator live in :mod:`condgan.evaluation.kernels` (``KE``); :mod:`condgan.evaluation.mmd`
(``M``) re-exports them and binds the protocol's degree 2 as the default of ``polynomial_kernel`` and
``mmd2_unbiased``, so the tests that call ``M.<name>`` with the default degree check that binding too.

The unbiased MMD² U-statistic (Gretton et al., JMLR 2012, Eq. 3 / Lemma 6) with the degree-2 polynomial kernel of
the TAC-GAN / UAC-GAN 1-D MoG protocol (UAC-GAN Table 1: 10,000 points drawn with replacement per set), checked
against an independent NumPy brute force for every kernel, every ``method`` and block sizes smaller than the sets;
the binomial expansion of :func:`polynomial_kernel_sum` against the explicit kernel sum; the median heuristic
against NumPy's median of pairwise distances.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from condgan.evaluation import kernels as KE
from condgan.evaluation import mmd as M


def np_poly(x, y, degree=2, gamma=None, coef0=1.0):
    gamma = 1.0 / x.shape[1] if gamma is None else gamma
    return (gamma * x @ y.T + coef0) ** degree


def np_gauss(x, y, bw):
    d2 = ((x[:, None, :] - y[None, :, :]) ** 2).sum(-1)
    return np.exp(-d2 / (2 * bw ** 2))


def np_mmd2u(x, y, kern):
    """Gretton et al. 2012, Lemma 6: Σ_{i≠j} k(x_i,x_j)/(m(m-1)) + Σ_{i≠j} k(y_i,y_j)/(n(n-1)) - 2 Σ k(x_i,y_j)/(mn)."""
    m, n = len(x), len(y)
    kxx, kyy, kxy = kern(x, x), kern(y, y), kern(x, y)
    return ((kxx.sum() - np.trace(kxx)) / (m * (m - 1)) + (kyy.sum() - np.trace(kyy)) / (n * (n - 1))
            - 2 * kxy.sum() / (m * n))


def np_median_bw(x, y, max_points=1000):
    """Median heuristic: the (lower, as torch.median) median of the pooled pairwise distances."""
    z = np.concatenate([x.reshape(len(x), -1), y.reshape(len(y), -1)]).astype(np.float64)
    if len(z) > max_points:
        z = z[np.linspace(0, len(z) - 1, max_points).astype(np.int64)]
    d = np.sqrt(((z[:, None] - z[None]) ** 2).sum(-1))
    med = lower_median(d[np.triu_indices(len(z), 1)])
    return med if med > 0 else 1.0


def lower_median(v):
    v = np.sort(np.asarray(v).reshape(-1))
    return v[(len(v) - 1) // 2]


def rand(n, *dims, seed=0, shift=0.0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, *dims, generator=g, dtype=torch.float64) + shift


# ------------------------------------------------------------------------------------------------------ kernels

def test_polynomial_kernel_defaults_and_parameters():
    """k(x, y) = (x·y / dim + 1)^2 by default: x·y = 4, dim = 2 -> 3^2 = 9."""
    x, y = torch.tensor([[1.0, 2.0]]), torch.tensor([[2.0, 1.0], [0.0, 0.0]])
    assert M.polynomial_kernel(x, y).tolist() == [[9.0, 1.0]]
    assert M.polynomial_kernel(x, y, degree=3).tolist() == [[27.0, 1.0]]
    assert M.polynomial_kernel(x, y, gamma=0.25).tolist() == [[4.0, 1.0]]
    assert M.polynomial_kernel(x, y, coef0=0.0).tolist() == [[4.0, 0.0]]


def test_gaussian_kernel_matches_reference():
    x, y = rand(4, 3, seed=1), rand(5, 3, seed=2)
    for bw in (1.0, 0.7):
        np.testing.assert_allclose(M.gaussian_kernel(x, y, bandwidth=bw).numpy(), np_gauss(x.numpy(), y.numpy(), bw),
                                   rtol=1e-10)
    np.testing.assert_allclose(M.gaussian_kernel(x, y).numpy(), np_gauss(x.numpy(), y.numpy(), 1.0), rtol=1e-10)
    # exp(-|0 - 2|^2 / 2) = e^-2; coincident points give exactly 1 (round-off below 0 is clamped)
    assert float(M.gaussian_kernel(torch.tensor([[0.0]]), torch.tensor([[2.0]]))) == pytest.approx(math.exp(-2))
    z = torch.tensor([[0.1, 0.3]], dtype=torch.float64)
    assert float(M.gaussian_kernel(z * 1e4, z * 1e4)) <= 1.0


def test_median_bandwidth_matches_reference():
    x, y = rand(5, 2, seed=3), rand(6, 2, seed=4, shift=1.0)
    z = torch.cat([x, y]).numpy()
    d = np.sqrt(((z[:, None] - z[None]) ** 2).sum(-1))
    assert M.median_bandwidth(x, y) == pytest.approx(lower_median(d[np.triu_indices(11, 1)]), rel=1e-12)
    # a strided subset of max_points rows (endpoints included)
    sub = z[np.linspace(0, 10, 4).astype(np.int64)]
    ds = np.sqrt(((sub[:, None] - sub[None]) ** 2).sum(-1))
    assert M.median_bandwidth(x, y, max_points=4) == pytest.approx(lower_median(ds[np.triu_indices(4, 1)]), rel=1e-12)
    # exactly max_points rows: all of them
    assert M.median_bandwidth(x, y, max_points=11) == M.median_bandwidth(x, y)
    # 1-D inputs of shape (n,) and a zero median (most points equal) falls back to 1.0
    assert M.median_bandwidth(torch.zeros(4), torch.tensor([0.0, 5.0])) == 1.0
    assert M.median_bandwidth(torch.tensor([0.0, 1.0]), torch.tensor([3.0])) == 2.0


def test_median_bandwidth_default_max_points_is_1000():
    x = torch.arange(1001, dtype=torch.float64) ** 1.5
    want_sub = x[torch.linspace(0, 1000, 1000).long()].numpy()
    d = np.abs(want_sub[:, None] - want_sub[None])
    assert M.median_bandwidth(x[:1000], x[1000:]) == pytest.approx(lower_median(d[np.triu_indices(1000, 1)]),
                                                                   rel=1e-12)


# ---------------------------------------------------------------------------------------------- kernel sums

@pytest.mark.parametrize("block", [1 << 22, 7, 1])
def test_kernel_sum_blocks_match_reference(block):
    x, y = rand(5, 2, seed=5), rand(4, 2, seed=6)
    k = lambda a, b: M.polynomial_kernel(a, b, degree=3)  # noqa: E731
    kxy = np_poly(x.numpy(), y.numpy(), degree=3)
    kxx = np_poly(x.numpy(), x.numpy(), degree=3)
    assert float(M.kernel_sum(k, x, y, max_block_elements=block)) == pytest.approx(kxy.sum(), rel=1e-12)
    assert float(M.kernel_sum(k, x, x, exclude_diagonal=True, max_block_elements=block)) == pytest.approx(
        kxx.sum() - np.trace(kxx), rel=1e-12)
    assert float(M.kernel_sum(k, x, x, max_block_elements=block)) == pytest.approx(kxx.sum(), rel=1e-12)


def test_kernel_sum_of_empty_y_is_zero():
    assert float(M.kernel_sum(M.polynomial_kernel, rand(3, 1, seed=7), torch.zeros(0, 1, dtype=torch.float64))) == 0.0


@pytest.mark.parametrize("degree,dim,gamma,coef0", [(2, 1, None, 1.0), (3, 2, None, 0.5), (1, 3, 0.3, 2.0),
                                                    (0, 2, None, 1.5), (2, 2, 0.7, 0.0)])
def test_polynomial_kernel_sum_binomial_expansion_matches_explicit_sum(degree, dim, gamma, coef0):
    x, y = rand(5, dim, seed=8), rand(4, dim, seed=9, shift=0.3)
    kxy = np_poly(x.numpy(), y.numpy(), degree, gamma, coef0)
    kxx = np_poly(x.numpy(), x.numpy(), degree, gamma, coef0)
    kw = dict(degree=degree, gamma=gamma, coef0=coef0)
    assert float(M.polynomial_kernel_sum(x, y, **kw)) == pytest.approx(kxy.sum(), rel=1e-10)
    assert float(M.polynomial_kernel_sum(x, x, exclude_diagonal=True, **kw)) == pytest.approx(
        kxx.sum() - np.trace(kxx), rel=1e-10, abs=1e-9)


def test_polynomial_kernel_sum_defaults():
    """gamma = 1/dim and coef0 = 1 by default (the degree has no default: each metric names its own)."""
    x, y = rand(4, 2, seed=10), rand(3, 2, seed=11)
    for degree in (2, 3):
        assert float(KE.polynomial_kernel_sum(x, y, degree=degree)) == pytest.approx(
            np_poly(x.numpy(), y.numpy(), degree=degree).sum(), rel=1e-12)
    with pytest.raises(TypeError):
        KE.polynomial_kernel_sum(x, y)


def test_kernels_polynomial_degree_is_required_and_protocol_binds_2():
    """The kernels module has no default degree (KID: 3, UAC-GAN protocol: 2); the mmd module's default is 2."""
    x, y = rand(6, 2, seed=40), rand(5, 2, seed=41, shift=0.4)
    with pytest.raises(TypeError):
        KE.polynomial_kernel(x, y)
    with pytest.raises(ValueError, match=r"^mmd2_unbiased with the polynomial kernel needs its degree"):
        KE.mmd2_unbiased(x, y)
    for degree in (2, 3):
        want = np_mmd2u(x.numpy(), y.numpy(), lambda a, b: np_poly(a, b, degree=degree))
        assert float(KE.mmd2_unbiased(x, y, degree=degree)) == pytest.approx(want, rel=1e-10)
    assert float(M.mmd2_unbiased(x, y)) == float(KE.mmd2_unbiased(x, y, degree=2))
    assert M.PROTOCOL_DEGREE == 2
    # the Gaussian kernel and a callable need no degree
    want_g = np_mmd2u(x.numpy(), y.numpy(), lambda a, b: np_gauss(a, b, 0.9))
    assert float(KE.mmd2_unbiased(x, y, "gaussian", bandwidth=0.9)) == pytest.approx(want_g, rel=1e-10)
    kern = lambda a, b: KE.gaussian_kernel(a, b, 0.9)  # noqa: E731
    assert float(KE.mmd2_unbiased(x, y, kern)) == pytest.approx(want_g, rel=1e-10)


# ---------------------------------------------------------------------------------------------- MMD² estimate

@pytest.mark.parametrize("method", ["auto", "blocks", "features"])
def test_mmd2_unbiased_polynomial_matches_reference(method):
    x, y = rand(6, 2, seed=12), rand(5, 2, seed=13, shift=0.8)
    want = np_mmd2u(x.numpy(), y.numpy(), np_poly)
    assert float(M.mmd2_unbiased(x, y, method=method)) == pytest.approx(want, rel=1e-10)
    assert float(M.mmd2_unbiased(x, y, method=method, max_block_elements=5)) == pytest.approx(want, rel=1e-10)
    kw = dict(degree=3, gamma=0.4, coef0=0.5)
    want3 = np_mmd2u(x.numpy(), y.numpy(), lambda a, b: np_poly(a, b, **kw))
    assert float(M.mmd2_unbiased(x, y, method=method, **kw)) == pytest.approx(want3, rel=1e-10)


def test_mmd2_unbiased_module_docstring_value_and_1d_moments():
    """x = (0, 1, 2), y = x + 1 in 1-D: 2.7778 (module docstring)."""
    x = torch.tensor([0.0, 1.0, 2.0])
    assert float(M.mmd2_unbiased(x, x + 1.0)) == pytest.approx(np_mmd2u(x[:, None].numpy().astype(np.float64),
                                                                        (x[:, None] + 1).numpy().astype(np.float64),
                                                                        np_poly), rel=1e-12)
    assert float(M.mmd2_unbiased(x, x + 1.0)) == pytest.approx(25 / 9, rel=1e-12)


def test_mmd2_unbiased_gaussian_and_callable_kernels():
    x, y = rand(6, 2, seed=14), rand(7, 2, seed=15, shift=0.5)
    want = np_mmd2u(x.numpy(), y.numpy(), lambda a, b: np_gauss(a, b, 0.8))
    assert float(M.mmd2_unbiased(x, y, "gaussian", bandwidth=0.8)) == pytest.approx(want, rel=1e-10)
    assert float(M.mmd2_unbiased(x, y, "gaussian", bandwidth=0.8, max_block_elements=3)) == pytest.approx(want,
                                                                                                         rel=1e-10)
    bw = np_median_bw(x.numpy(), y.numpy())
    want_med = np_mmd2u(x.numpy(), y.numpy(), lambda a, b: np_gauss(a, b, bw))
    assert float(M.mmd2_unbiased(x, y, "gaussian")) == pytest.approx(want_med, rel=1e-10)
    kern = lambda a, b: M.gaussian_kernel(a, b, bandwidth=0.8)  # noqa: E731
    assert float(M.mmd2_unbiased(x, y, kern)) == pytest.approx(want, rel=1e-10)
    assert float(M.mmd2_unbiased(x, y, kern, method="blocks")) == pytest.approx(want, rel=1e-10)


def test_mmd2_unbiased_flattens_and_casts():
    """(n, 2, 2) images are flattened to 4-vectors; float32 input computed in float64 unless ``dtype`` says so."""
    x, y = rand(5, 2, 2, seed=16), rand(4, 2, 2, seed=17, shift=0.2)
    want = np_mmd2u(x.reshape(5, 4).numpy(), y.reshape(4, 4).numpy(), np_poly)
    out = M.mmd2_unbiased(x.float(), y.float())
    assert out.dtype == torch.float64 and float(out) == pytest.approx(want, rel=1e-6)
    out32 = M.mmd2_unbiased(x, y, dtype=torch.float32)
    assert out32.dtype == torch.float32 and float(out32) == pytest.approx(want, rel=1e-4)


def test_mmd2_unbiased_auto_switches_to_blocks_above_4096_features():
    """auto: the feature expansion while dim**degree <= 4096 (dim 64, degree 2), kernel blocks above (dim 65)."""
    for dim in (64, 65):
        x, y = rand(3, dim, seed=18), rand(2, dim, seed=19)
        want = np_mmd2u(x.numpy(), y.numpy(), np_poly)
        assert float(M.mmd2_unbiased(x, y)) == pytest.approx(want, rel=1e-9)
        assert float(M.mmd2_unbiased(x, y, method="blocks")) == pytest.approx(want, rel=1e-9)


def test_mmd2_unbiased_two_samples_and_errors():
    M.mmd2_unbiased(torch.tensor([0.0, 1.0]), torch.tensor([2.0, 3.0]))
    with pytest.raises(ValueError, match=r"^mmd2_unbiased needs at least 2 samples on each side, got 1 and 3$"):
        M.mmd2_unbiased(torch.tensor([0.0]), torch.tensor([0.0, 1.0, 2.0]))
    with pytest.raises(ValueError, match=r"got 3 and 1$"):
        M.mmd2_unbiased(torch.tensor([0.0, 1.0, 2.0]), torch.tensor([0.0]))
    with pytest.raises(ValueError, match=r"^method='features' needs kernel='polynomial'$"):
        M.mmd2_unbiased(torch.ones(3), torch.ones(3), "gaussian", method="features")
    with pytest.raises(ValueError, match=r"^unknown method 'fast'; expected 'auto', 'blocks' or 'features'$"):
        M.mmd2_unbiased(torch.ones(3), torch.ones(3), method="fast")
    with pytest.raises(ValueError, match=r"^unknown kernel 'rbf'; expected 'polynomial', 'gaussian' or a callable$"):
        M.mmd2_unbiased(torch.ones(3), torch.ones(3), "rbf")


# ------------------------------------------------------------------------------------------------ the protocol

def test_resample_with_replacement_draws_rows_with_the_generator():
    x = rand(7, 2, seed=20)
    g1, g2 = torch.Generator().manual_seed(3), torch.Generator().manual_seed(3)
    out = M.resample_with_replacement(x, 50, g1)
    assert torch.equal(out, x[torch.randint(0, 7, (50,), generator=g2)])
    assert M.resample_with_replacement(x).shape == (10_000, 2)
    assert M.resample_with_replacement(torch.tensor([5.0]), 3).tolist() == [5.0, 5.0, 5.0]


def test_protocol_mmd2_is_mmd_of_the_resamples():
    """UAC-GAN Table 1: n points with replacement from generated, then n from real (one generator), unbiased MMD²."""
    gen, real = rand(9, seed=21), rand(8, seed=22, shift=1.0)
    g = torch.Generator().manual_seed(5)
    a, b = M.resample_with_replacement(gen, 40, g), M.resample_with_replacement(real, 40, g)
    want = np_mmd2u(a[:, None].numpy(), b[:, None].numpy(), np_poly)
    assert float(M.protocol_mmd2(gen, real, 40, torch.Generator().manual_seed(5))) == pytest.approx(want, rel=1e-10)
    want_c = np_mmd2u(a[:, None].numpy(), b[:, None].numpy(), lambda u, v: np_poly(u, v, coef0=0.5))
    assert float(M.protocol_mmd2(gen, real, 40, torch.Generator().manual_seed(5), coef0=0.5)) == pytest.approx(
        want_c, rel=1e-10)
    # default n = 10,000: equal to the explicit call with the same generator state
    v = M.protocol_mmd2(gen, real, generator=torch.Generator().manual_seed(1))
    assert float(v) == float(M.protocol_mmd2(gen, real, 10_000, torch.Generator().manual_seed(1)))


def test_median_bandwidth_below_one_is_kept():
    """The median heuristic returns the median pairwise distance itself, also when it is below 1 (only a median of
    0, all points equal, falls back to 1)."""
    from condgan.evaluation.mmd import median_bandwidth

    x = torch.tensor([[0.0], [0.25]])
    y = torch.tensor([[0.5]])
    assert median_bandwidth(x, y) == 0.25  # distances 0.25, 0.5, 0.25
    assert median_bandwidth(torch.zeros(2, 1), torch.zeros(1, 1)) == 1.0


def test_resample_draws_on_the_samples_device_without_a_generator():
    """UAC-GAN protocol resampling without a generator draws the indices on the samples' device, with that device's
    global generator (on a GPU: the CUDA generator, not the CPU one). Samples on PyTorch's meta device show it on the
    CPU: the result stays on their device and the global CPU generator is not advanced."""
    x = torch.zeros(7, 2, device="meta")
    torch.manual_seed(0)
    out = M.resample_with_replacement(x, 5)
    after = torch.rand(3)
    torch.manual_seed(0)
    assert out.device == x.device and out.shape == (5, 2)
    assert torch.equal(after, torch.rand(3))
    # with a generator the indices come from it, on its device (here the CPU: the generator advances exactly as for
    # the same draw on the CPU), and are moved to the samples' device
    g, g2 = torch.Generator().manual_seed(4), torch.Generator().manual_seed(4)
    assert M.resample_with_replacement(x, 6, g).device == x.device
    torch.randint(0, 7, (6,), generator=g2)
    assert torch.equal(g.get_state(), g2.get_state())


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device (a generator on another device)")
def test_resample_moves_indices_from_the_generators_device_to_the_samples():
    """A CUDA generator with CPU samples: the indices drawn on the GPU are moved to the samples' device."""
    x = rand(7, 2, seed=23)
    g, g2 = torch.Generator(device="cuda").manual_seed(1), torch.Generator(device="cuda").manual_seed(1)
    out = M.resample_with_replacement(x, 9, g)
    assert out.device == x.device
    assert torch.equal(out, x[torch.randint(0, 7, (9,), generator=g2, device="cuda").cpu()])


def test_mog_distances_see_what_the_poly2_kernel_cannot():
    """`mog_distances`: per class then marginal; the poly-2 MMD² compares two moments only, so a uniform with the
    real class's mean and variance scores about 0 there, while the Gaussian-kernel MMD² and W1 see the shape. W1 of a
    shift by 1 is 1 (data units); identical distributions give about 0 on all three; seeded."""
    import math

    from condgan.evaluation.mmd import mog_distances

    g = torch.Generator().manual_seed(0)
    real_x = torch.cat([torch.randn(20_000, generator=g) * s + m for m, s in ((0.0, 1.0), (3.0, 2.0), (6.0, 3.0))])
    real_y = torch.arange(3).repeat_interleave(20_000)
    same = torch.cat([torch.randn(4000, generator=g) * s + m for m, s in ((0.0, 1.0), (3.0, 2.0), (6.0, 3.0))])
    gen_y = torch.arange(3).repeat_interleave(4000)
    # class 0 from a uniform with mean 0 and variance 1, class 1 shifted by +1, class 2 as real
    uniform = (torch.rand(4000, generator=g) * 2 - 1) * math.sqrt(3.0)
    other = torch.cat([uniform, same[4000:8000] + 1.0, same[8000:]])
    d_same = mog_distances(same, gen_y, real_x, real_y, seed=1)
    d = mog_distances(other, gen_y, real_x, real_y, seed=1)
    assert set(d) == {"mmd", "mmd_gauss", "w1"} and all(len(v) == 4 for v in d.values())
    assert all(abs(v) < 0.05 for v in d_same["mmd_gauss"]) and all(v < 0.1 for v in d_same["w1"])
    assert abs(d["mmd"][0]) < 0.05                      # the poly-2 kernel: same two moments, no difference
    assert d["mmd_gauss"][0] > 5 * max(abs(d_same["mmd_gauss"][0]), 1e-3)  # the Gaussian kernel sees the shape
    assert d["w1"][0] > 3 * d_same["w1"][0] and d["w1"][0] > 0.05
    assert d["w1"][1] == pytest.approx(1.0, abs=0.08)   # a shift by 1 moves every quantile by 1
    assert d["mmd"][1] > 1.0 and d["mmd_gauss"][1] > 0.01
    assert abs(d["w1"][2] - d_same["w1"][2]) < 1e-12    # class 2 untouched
    assert d == mog_distances(other, gen_y, real_x, real_y, seed=1)  # seeded
