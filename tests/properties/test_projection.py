"""Property tests of the projection plugin (Miyato & Koyama, ICLR 2018): the projection logit is ψ(φ) + v_yᵀφ + b_y,
on tensors and on a built discriminator; the log-linear decomposition of r(y|x) into a projection plus an x-only
term. Float64, tolerance from condgan.testing's table."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from condgan import BuildContext, ConditionSpec, get_component
from condgan.plugins.projection import losses as L
from condgan.testing import assert_close
from condgan.testing import strategies as cst

F64 = torch.float64
SETTINGS = settings(deadline=None)

pytestmark = pytest.mark.usefixtures("one_thread")


@st.composite
def features_and_embeddings(draw, max_batch: int = 6, max_k: int = 6, max_f: int = 5):
    """φ (B, F), V (K, F), b (K,), ψ's weights (F,) and bias, labels y (B,), a second V (K, F): bounded float64."""
    b, k, f = draw(st.integers(1, max_batch)), draw(st.integers(2, max_k)), draw(st.integers(1, max_f))
    vals = st.floats(-3.0, 3.0, allow_nan=False)

    def t(*shape):
        n = 1
        for s in shape:
            n *= s
        return torch.tensor(draw(st.lists(vals, min_size=n, max_size=n)), dtype=F64).view(*shape)

    return t(b, f), t(k, f), t(k), t(f), t(1), draw(cst.labels(b, k)), t(k, f)


@SETTINGS
@given(features_and_embeddings())
def test_projection_logit_is_psi_plus_embedding_inner_product(inputs):
    """f(x, y) = ψ(φ) + v_yᵀφ + b_y: the ``adv`` head is ψ, the ``cond`` head Vφ + b; the logit picks the row of y."""
    phi, V, b, w, w0, y, _ = inputs
    psi = phi @ w + w0
    cond = phi @ V.T + b
    c = torch.nn.functional.one_hot(y, V.shape[0]).to(F64)
    expected = psi + (V[y] * phi).sum(1) + b[y]
    assert_close(L.projection_logit(psi, cond, c), expected)


@SETTINGS
@given(features_and_embeddings())
def test_projection_over_groups_is_the_mean_of_group_projections(inputs):
    """Two condition groups (two one-hots): the projection term is the mean of the two groups' selected outputs, as
    core.cgan's selected_logit (so a multi-attribute projection D has the scale of a single-label one)."""
    phi, V, b, w, w0, y, _ = inputs
    k = V.shape[0]
    cond = torch.cat([phi @ V.T, phi @ V.T + b], 1)
    c = torch.cat([torch.nn.functional.one_hot(y, k), torch.nn.functional.one_hot((y + 1) % k, k)], 1).to(F64)
    psi = phi @ w + w0
    expected = psi + ((V[y] * phi).sum(1) + (V[(y + 1) % k] * phi).sum(1) + b[(y + 1) % k]) / 2
    assert_close(L.projection_logit(psi, cond, c, num_groups=2), expected)


@SETTINGS
@given(features_and_embeddings())
def test_log_linear_ratio_is_a_projection_plus_an_x_only_term(inputs):
    """Sec. 3 of the paper: for log-linear q(y|x), p(y|x) on φ, r(y|x) = (v^q_y − v^p_y)ᵀφ − (LSE(V^qφ) − LSE(V^pφ)):
    the y-dependent part is an inner product with the difference of embeddings (the projection)."""
    phi, Vq, _, _, _, y, Vp = inputs
    lse = torch.logsumexp(phi @ Vq.T, 1) - torch.logsumexp(phi @ Vp.T, 1)
    expected = ((Vq[y] - Vp[y]) * phi).sum(1) - lse
    assert_close(L.log_linear_ratio(phi, Vq, Vp, y), expected, scale=10.0)


@SETTINGS
@given(features_and_embeddings())
def test_log_linear_ratio_differences_between_classes_are_pure_projections(inputs):
    """r(y|x) − r(y'|x) = (v_y − v_{y'})ᵀφ with V = V^q − V^p: the x-only terms cancel, so ψ can absorb them."""
    phi, Vq, _, _, _, y, Vp = inputs
    k = Vq.shape[0]
    y2 = (y + 1) % k
    diff = L.log_linear_ratio(phi, Vq, Vp, y) - L.log_linear_ratio(phi, Vq, Vp, y2)
    V = Vq - Vp
    assert_close(diff, ((V[y] - V[y2]) * phi).sum(1), scale=10.0)


def test_objective_logit_on_a_built_discriminator():
    """The objective's logit on core.mlp_d: ψ = the adv layer on the trunk's features, v_y and b_y = row y of the cond
    layer (the discriminator built through the public registry; float64)."""
    from condgan.plugins.projection.objectives import ProjectionObjective, ProjectionParams

    spec = ConditionSpec.single(4)
    ctx = BuildContext(spec=spec, data_shape=(3,), latent_dim=2,
                       resolve=lambda kind, name, *a: get_component(kind, name).build())
    obj = ProjectionObjective(ProjectionParams(), ctx)
    assert obj.heads() == {"adv": 1, "cond": 4}
    torch.manual_seed(0)
    D = get_component("discriminators", "core.mlp_d").build(None, ctx.with_heads(obj.heads())).double()
    x = torch.randn(5, 3, dtype=F64)
    y = torch.tensor([0, 1, 2, 3, 1])
    c = torch.nn.functional.one_hot(y, 4).to(F64)
    out = D(x)
    phi = out.features
    adv, cond = D.heads["adv"], D.heads["cond"]
    expected = phi @ adv.weight[0] + adv.bias[0] + (cond.weight[y] * phi).sum(1) + cond.bias[y]
    assert_close(obj.logit(out, c), expected)
