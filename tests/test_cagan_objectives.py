"""Contract tests of the cagan objectives and the mixed batch composer on tiny hand-built models (no training loop).

Checks: the heads each objective asks for; that every loss trains only its own side (D's loss gives D and not G a
gradient, G's loss reaches G); sum vs mean reduction; the mixed composer's batch composition (CA-GAN Section 4)
and the authors' ramp. About 10 s on the shared CPU.
"""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from condgan.builtins.sampling import FixedPrior, FixedPriorParams, GaussianLatent, LatentParams, SeparateBatches, SeparateParams
from condgan.conditions import ConditionSpec
from condgan.interfaces import Batch, BuildContext, Discriminator, Generator, Models
from condgan.plugins.cagan import losses as L
from condgan.plugins.cagan.composers import MixedBatches, MixedParams, mixing_slots
from condgan import ACGANObjective
from condgan.plugins.cagan.objectives import CAGANObjective, CAGANParams, ModifiedACGANParams, PaperACGANParams


def resolve(kind, name, params=None):
    if kind == "regularizers":  # the core's resolver: a regularizer is a component like any other
        from condgan.build import make_resolver
        from condgan.plugin_manager import get_components

        return make_resolver(get_components())(kind, name, params)
    assert kind == "adversarial_losses"
    return L.family(name.split(".")[-1])


class TinyG(Generator):
    def __init__(self, ctx):
        super().__init__()
        self.net = nn.Linear(ctx.latent_dim + ctx.num_conditions, ctx.data_shape[0])

    def forward(self, z, c):
        return self.net(torch.cat([z, c], 1))


class TinyD(Discriminator):
    def __init__(self, ctx, batch_norm=False):
        super().__init__()
        self.trunk = nn.Sequential(nn.Linear(ctx.data_shape[0], 8), nn.BatchNorm1d(8) if batch_norm else nn.Identity(),
                                   nn.LeakyReLU(0.2))
        self.heads = self.build_heads(8, ctx.heads)

    def forward(self, x):
        return self.apply_heads(self.heads, self.trunk(x))


def build(objective_cls, params, spec=None, composer=None, batch_norm=False, seed=0):
    torch.manual_seed(seed)
    spec = spec or ConditionSpec.single(3)
    ctx = BuildContext(spec=spec, data_shape=(2,), latent_dim=4, resolve=resolve)
    obj = objective_cls(params, ctx)
    dctx = ctx.with_heads(obj.heads())
    m = Models(generator=TinyG(ctx), discriminator=TinyD(dctx, batch_norm), prior=FixedPrior(FixedPriorParams(), ctx),
               composer=composer or SeparateBatches(SeparateParams(), ctx), latent=GaussianLatent(LatentParams(4), ctx),
               spec=spec, steps_per_epoch=10)
    x = torch.randn(16, 2)
    real = Batch(x=x, c=spec.encode(torch.stack([torch.randint(g.size, (16,)) for g in spec.groups], 1)))
    return obj, m, real


def grads_of(loss, module):
    params = [p for p in module.parameters() if p.requires_grad]
    gs = torch.autograd.grad(loss, params, allow_unused=True, retain_graph=True)
    return [g for g in gs if g is not None and g.abs().sum() > 0]


OBJECTIVES = [
    (CAGANObjective, CAGANParams()),
    (CAGANObjective, CAGANParams(adversarial="core.hinge", reduction="sum")),
    (CAGANObjective, CAGANParams(adversarial="core.wasserstein", regularizer="core.wgan_gp", regularizer_weight=1.0)),
    (CAGANObjective, CAGANParams(regularizer="core.r1")),
    (ACGANObjective, ModifiedACGANParams()),
    (ACGANObjective, PaperACGANParams()),
    (ACGANObjective, ModifiedACGANParams(adv_weight=0.0, cls_fake_in_d=True)),
    (ACGANObjective, ModifiedACGANParams(real_cls_in_g=True, regularizer="core.r2")),
]


@pytest.mark.parametrize("composer", ["separate", "mixed"])
@pytest.mark.parametrize("objective_cls,params", OBJECTIVES)
def test_each_loss_trains_its_own_side(objective_cls, params, composer):
    """Cho & Yoon Eqs. 7-8 / 17-18: D's losses reach D's parameters and not G's; G's losses reach G."""
    comp = MixedBatches(MixedParams()) if composer == "mixed" else None
    obj, m, real = build(objective_cls, params, composer=comp, batch_norm=composer == "mixed")
    d_out = obj.discriminator_step(m, real, step=3)
    assert set(d_out.losses) <= set(obj.losses)
    for name, value in d_out.losses.items():
        assert value.dim() == 0 and torch.isfinite(value), name
        assert obj.optimizers_of(name) == ("discriminator",)
        assert grads_of(value, m.discriminator), name
        assert not grads_of(value, m.generator), name
    g_out = obj.generator_step(m, real, step=3)
    for name, value in g_out.losses.items():
        assert obj.optimizers_of(name) == ("generator",)
        assert grads_of(value, m.generator), name


def test_heads():
    """Each objective asks for the heads it reads: CA-GAN one output per condition (Fig. 7); AC-GAN adv + K class
    logits; sigmoid AC-GAN one logit per binary attribute; no adversarial head without adversarial loss (Fig. 9)."""
    spec = ConditionSpec.binary(("smile", "male"))
    assert build(CAGANObjective, CAGANParams(), spec)[0].heads() == {"cond": 4}
    assert build(ACGANObjective, ModifiedACGANParams(), spec)[0].heads() == {"adv": 1, "cls": 4}
    assert build(ACGANObjective, ModifiedACGANParams(classification="sigmoid"), spec)[0].heads() == {"adv": 1, "cls": 2}
    assert build(ACGANObjective, ModifiedACGANParams(adv_weight=0.0), spec)[0].heads() == {"cls": 4}
    with pytest.raises(ValueError, match="binary attributes"):
        build(ACGANObjective, ModifiedACGANParams(classification="sigmoid"), ConditionSpec.single(3))


def test_sum_reduction_is_batch_size_times_mean():
    """Cho & Yoon Eq. 18 (mean, the paper's E) vs the authors' code (sum over the batch): same seed, sum = B · mean."""
    vals = {}
    for red in ("mean", "sum"):
        obj, m, real = build(CAGANObjective, CAGANParams(reduction=red), seed=1)
        torch.manual_seed(5)
        vals[red] = obj.generator_step(m, real, 0).losses["g_ca"]
    torch.testing.assert_close(vals["sum"], 16 * vals["mean"])


class CompositionProbe(Discriminator):
    """Records (rows, real rows) of every forward (real rows have x[:, 0] > 100) and echoes x as the heads."""

    def __init__(self):
        super().__init__()
        self.forwards = []

    def forward(self, x):
        self.forwards.append((len(x), int((x[:, 0] > 100).sum())))
        from condgan.interfaces import DiscriminatorOutput
        return DiscriminatorOutput(adv=x[:, 1].clone(), cond=x.clone())


@pytest.mark.parametrize("batch", [2, 7, 16])
@pytest.mark.parametrize("ratio", [0.0, 0.25, 0.5])
def test_mixed_batches_keep_one_ratio_and_return_rows_in_order(batch, ratio):
    """CA-GAN Section 4: every discriminator forward holds floor(r·B) real and B - floor(r·B) generated rows (or
    the reverse), and D's outputs come back on the right rows in input order."""
    comp = MixedBatches(MixedParams(ratio=ratio))
    comp.split(batch, 0, 0)
    x_real = torch.stack([torch.full((batch,), 1000.0), torch.arange(batch, dtype=torch.float32)], 1)
    x_fake = torch.stack([torch.zeros(batch), -torch.arange(batch, dtype=torch.float32) - 1], 1)
    D = CompositionProbe()
    out_r, out_f = comp.discriminate(D, x_real, x_fake)
    torch.testing.assert_close(out_r.cond, x_real)
    torch.testing.assert_close(out_f.cond, x_fake)
    s = math.floor(ratio * batch + 1e-9)
    reals = sorted(r for _, r in D.forwards)
    assert all(n == batch for n, _ in D.forwards) and len(D.forwards) == 2
    assert reals == sorted([s, batch - s])


def test_authors_ramp():
    """Reference §4.2: s = floor(min(ratio_per_epoch · epoch, 0.5) · B): 0 at epoch 0, 0.5·B from epoch 50 (0.01)."""
    assert [mixing_slots(32, e, 0.5, 0.01) for e in (0, 1, 10, 25, 50, 80)] == [0, 0, 3, 8, 16, 16]
    comp = MixedBatches(MixedParams(ratio_per_epoch=0.01))
    assert comp.ratio(10) == pytest.approx(0.1) and comp.ratio(99) == 0.5


def test_mixed_generator_view_uses_mixed_forwards():
    """With mixed batches G's loss is read from the mixed forwards (generated rows normalised with real ones)."""
    obj, m, real = build(CAGANObjective, CAGANParams(), composer=MixedBatches(MixedParams()), batch_norm=True)
    calls = []
    hook = m.discriminator.register_forward_hook(lambda mod, inp, out: calls.append(len(inp[0])))
    obj.generator_step(m, real, 0)
    hook.remove()
    assert calls == [16, 16]
