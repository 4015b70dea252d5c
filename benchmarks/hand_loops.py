"""Hand-written PyTorch training loops of representative objectives: the baseline the framework's loop is timed against.

One objective per built-in plugin, UAC-GAN's three (:data:`REPRESENTATIVES`; ``benchmarks/scaling.py`` compares
TAC-GAN and UAC-GAN with AC-GAN), chosen for the shape of their step rather than their math: the framework's
orchestration (objects, composer, loss table, optimizer steps) costs the same whatever the loss computes, and what
varies with the objective is how many networks, optimizers and forward passes a step has. So a new objective is
written once, in its plugin; a loop here is added only for a step of a new shape.

Each loop trains the *same* modules (built by condgan from the same config, so the initial weights are the same),
with the same loss math (the plugins' pure functions from ``plugins/<p>/losses.py``, called inline), the same Adam
optimizers and the same batches (the seeded per-epoch permutations of :class:`condgan.data.BatchStream`, written
out). What is left out is the framework's orchestration: no Objective, Models, Batch or StepOutput objects, no
composer, no loss-to-optimizer table, no non-finite check, no per-step log metrics; the loss values are read
(``float``) every ``log_every`` steps only, as a careful hand-written loop would.

Each loop implements its objective's *default* parameters (what ``benchmarks/configs.py`` runs) and checks that the
parameters it is given are those. The step draws random numbers in the framework's order and backpropagates with
``backward(inputs=...)`` into each optimizer's own parameters, as the framework's loop does, so after the same
number of steps from the same seed both give the same weights (``tests/test_benchmarks.py`` checks it): the two
loops do the same arithmetic and the timing difference is orchestration alone.
"""

from __future__ import annotations

import random
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from condgan.losses import (AdversarialLoss, adversarial_d_loss, class_cross_entropy, least_squares_d_fake,
                            least_squares_d_real, least_squares_g, non_saturating_d_fake, non_saturating_d_real,
                            non_saturating_g, selected_logit)
from condgan.plugins.amgan import losses as AM
from condgan.plugins.cagan import losses as CA
from condgan.plugins.cgpgan import losses as CG
from condgan.plugins.uacgan import losses as UA


class HandLoop:
    """The modules, optimizers and data of one built experiment, and the plain-PyTorch helpers every loop uses."""

    def __init__(self, exp, log_every: int = 50):
        m, run = exp.models, exp.config.run
        self.name = exp.config.components["objective"].type
        self.step_fn = HAND_STEPS[self.name]
        self.p = exp.objective.params
        self.G, self.D, self.Q, self.T, self.prior = (m.generator, m.discriminator, m.classifier,
                                                      m.statistics_network, m.prior)
        self.device, self.B, self.seed, self.log_every = m.device, run.batch_size, run.seed, log_every
        if run.update != "alternating" or run.g_every != 1 or run.ema_decay or run.precision != "fp32":
            raise ValueError("the hand-written loops implement alternating updates, g_every = 1, no EMA, fp32")
        ds = exp.dataset
        if len(ds.spec.groups) != 1 or len(m.spec.groups) != 1:
            raise ValueError("the hand-written loops implement a single group of exclusive classes")
        self.x_data, self.y_data, self.K_data = ds.x, ds.y[:, 0], ds.spec.num_conditions
        self.K, self.zdim = m.spec.num_conditions, exp.ctx.latent_dim
        self.steps_per_epoch = len(ds) // self.B
        self._epoch, self._perm = -1, None
        self.opt: dict[str, torch.optim.Optimizer] = {}
        self.params: dict[str, list[Tensor]] = {}
        for name, module in m.trainable().items():
            o = exp.config.optimizers.get(name)
            if o is not None and o.type != "adam":
                raise ValueError("the hand-written loops use Adam")
            kw = {} if o is None else {"lr": o.lr, "betas": o.betas, "eps": o.eps, "weight_decay": o.weight_decay}
            ps = [p for p in module.parameters() if p.requires_grad]
            self.opt[name], self.params[name] = torch.optim.Adam(ps, **({"lr": 2e-4, "betas": (0.5, 0.999)} | kw)), ps
        self.logged: list[dict[str, float]] = []

    # -- data, noise, conditions ------------------------------------------------------------------------------
    def batch(self, step: int) -> tuple[Tensor, Tensor]:
        """Real ``(x, c)`` of ``step``: batch k of epoch e's permutation (seed * 1_000_003 + e), drop-last."""
        epoch, k = divmod(step, self.steps_per_epoch)
        if epoch != self._epoch:
            g = torch.Generator().manual_seed(self.seed * 1_000_003 + epoch)
            self._perm, self._epoch = torch.randperm(len(self.x_data), generator=g), epoch
        idx = self._perm[k * self.B:(k + 1) * self.B]
        x = self.x_data[idx].to(self.device)  # the stored dtype (uint8 images: a quarter of the bytes) goes over
        x = x.float().div_(127.5).sub_(1.0) if x.dtype == torch.uint8 else x.float()
        return x, F.one_hot(self.y_data[idx].to(self.device), self.K_data).float()

    def prior_conditions(self, n: int) -> Tensor:
        """``n`` one-hot conditions from the prior's probabilities (a buffer: uniform, or CGPGAN's EMA)."""
        return F.one_hot(torch.multinomial(self.prior.p, n, replacement=True), self.K).float()

    def generate(self, n: int, c: Tensor | None = None, grad: bool = False) -> tuple[Tensor, Tensor]:
        """``(x, c)``: z ~ N(0, I) first, then c from the prior unless given (the framework's order)."""
        z = torch.randn(n, self.zdim, device=self.device)
        if c is None:
            c = self.prior_conditions(n)
        with torch.set_grad_enabled(grad):
            return self.G(z, c), c

    # -- updates ----------------------------------------------------------------------------------------------
    def update(self, *pairs: tuple[str, Tensor]) -> None:
        """Backward each ``(optimizer, loss)`` into that optimizer's parameters, then step them all."""
        for i, (name, loss) in enumerate(pairs):
            self.opt[name].zero_grad(set_to_none=True)
            loss.backward(inputs=self.params[name], retain_graph=i < len(pairs) - 1)
        for name, _ in pairs:
            self.opt[name].step()

    def run(self, start: int, steps: int) -> None:
        """Train steps ``start .. start + steps - 1``; read the loss values every ``log_every`` steps."""
        for mod in (self.G, self.D):  # as the framework's loop: Module.train() walks every submodule, so only
            if not mod.training:      # when something switched the module to eval mode
                mod.train()
        for step in range(start, start + steps):
            losses = self.step_fn(self, step)
            if (step + 1) % self.log_every == 0:
                self.logged.append({"step": step + 1, **{k: float(v.detach()) for k, v in losses.items()}})


def seed_like_train(seed: int) -> None:
    """The global seeding :func:`condgan.train.train` does before its first step."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def _check(cond: bool, name: str) -> None:
    if not cond:
        raise ValueError(f"the hand-written loop of {name} implements its default parameters only")


# ---------------------------------------------------------------------------------------------------------------
# core
# ---------------------------------------------------------------------------------------------------------------
def core_cgan(h: HandLoop, step: int) -> dict[str, Tensor]:
    p = h.p
    _check(p.adversarial == "core.non_saturating" and not p.regularizer and p.conditional, h.name)
    x, c = h.batch(step)
    xf, cf = h.generate(h.B)
    t_r, t_f = selected_logit(h.D(x).cond, c), selected_logit(h.D(xf).cond, cf)
    d = F.softplus(-t_r).mean() + F.softplus(t_f).mean()
    h.update(("discriminator", d))
    xf, cf = h.generate(h.B, grad=True)
    g = F.softplus(-selected_logit(h.D(xf).cond, cf)).mean()
    h.update(("generator", g))
    return {"d_adv": d, "g_adv": g}


# ---------------------------------------------------------------------------------------------------------------
# cagan: CA-GAN (one conditional output per class, least squares)
# ---------------------------------------------------------------------------------------------------------------
#: the adversarial families at their default parameters (LSGAN targets a = 0, b = c = 1)
LSGAN = AdversarialLoss("least_squares", least_squares_d_real, least_squares_d_fake, least_squares_g)
NS = AdversarialLoss("non_saturating", non_saturating_d_real, non_saturating_d_fake, non_saturating_g)


def cagan_ca_gan(h: HandLoop, step: int) -> dict[str, Tensor]:
    p = h.p
    _check(p.adversarial == "core.least_squares" and p.reduction == "mean" and not p.regularizer, h.name)
    x, c = h.batch(step)
    xf, cf = h.generate(h.B)
    d = CA.conditional_activation_d_loss(h.D(x).cond, c, h.D(xf).cond, cf, LSGAN, "mean")
    h.update(("discriminator", d))
    xf, cf = h.generate(h.B, grad=True)
    g = CA.conditional_activation_g_loss(h.D(xf).cond, cf, LSGAN, "mean")
    h.update(("generator", g))
    return {"d_ca": d, "g_ca": g}


# ---------------------------------------------------------------------------------------------------------------
# amgan: AM-GAN (K+1 class logits, dynamic labeling: G gets c = 0, the target is argmax of D's class logits)
# ---------------------------------------------------------------------------------------------------------------
def amgan_am_gan(h: HandLoop, step: int) -> dict[str, Tensor]:
    p = h.p
    _check(p.labeling == "dynamic" and p.generator_loss == "log_d" and p.real_smoothing == 0 and p.fake_smoothing == 0
           and p.generator_smoothing == 0 and p.class_smoothing == 0 and p.dynamic_sharpness == 0
           and not p.learned_fake_logit and p.unlabeled_fraction == 0, h.name)
    x, c = h.batch(step)
    zeros = torch.zeros(h.B, h.K, device=h.device)
    xf, _ = h.generate(h.B, c=zeros)
    lr, lf = AM.kplus1_logits(h.D(x).cls), AM.kplus1_logits(h.D(xf).cls)
    per = AM.kplus1_discriminator_loss(lr, c, lf, reduction="none")
    d = per[h.B:].mean() + per[:h.B].mean()
    h.update(("discriminator", d))
    xf, _ = h.generate(h.B, c=torch.zeros(h.B, h.K, device=h.device), grad=True)
    lg = AM.kplus1_logits(h.D(xf).cls)
    g = AM.amgan_generator_loss(lg, AM.dynamic_target(lg[:, :h.K]), aux_weight=p.aux_weight)
    h.update(("generator", g))
    return {"d": d, "g": g}


# ---------------------------------------------------------------------------------------------------------------
# cgpgan: CGPGAN (three networks and optimizers, two gradient penalties, the dynamic prior)
# ---------------------------------------------------------------------------------------------------------------
def cgpgan_cgpgan(h: HandLoop, step: int) -> dict[str, Tensor]:
    p = h.p
    _check(p.loss == "core.non_saturating" and p.normalize_until_step == -1 and p.lambda_r2 > 0 and p.lambda_creg > 0,
           h.name)
    x, _ = h.batch(step)  # unsupervised: real labels are never read
    xf, cf = h.generate(h.B)
    xf = xf.detach().requires_grad_(True)
    with torch.no_grad():
        probs = F.softmax(h.Q(x), dim=1)
        if step // h.steps_per_epoch < p.normalize_until_epoch:
            probs = CG.prob_normalize(probs)
    c_r = CG.argmax_onehot(probs)
    out_r, out_f = h.D(x), h.D(xf)
    d = CG.conditional_d_loss(out_r.cond, c_r, out_f.cond, cf, NS) + p.lambda_r2 * CG.conditional_r2_penalty(out_f.cond, cf, xf)
    logits_f = h.Q(xf)
    q = p.lambda_cls * CG.classification_loss(logits_f, cf) + p.lambda_creg * CG.classifier_gradient_penalty(logits_f, cf, xf)
    h.update(("discriminator", d), ("classifier", q))
    xf, cf = h.generate(h.B, grad=True)
    g = CG.conditional_g_loss(h.D(xf).cond, cf, NS)
    h.update(("generator", g))
    h.prior.update(probs)  # the dynamic prior: an EMA of Q's probabilities on real data, after the G step (Alg. 1)
    return {"d": d, "q": q, "g": g}


# ---------------------------------------------------------------------------------------------------------------
# uacgan: AC-GAN (adversarial and class heads), TAC-GAN (a twin classifier head), UAC-GAN (plus MINE's statistics
# network on D's features). All three because benchmarks/scaling.py times TAC-GAN and UAC-GAN against AC-GAN.
# ---------------------------------------------------------------------------------------------------------------
def _uacgan_defaults(h: HandLoop) -> None:
    p = h.p
    _check(p.adversarial == "core.non_saturating" and p.ac_on_fake, h.name)


def _ac_d(h: HandLoop, x, c, xf, cf, out_r, out_f) -> Tensor:
    cls = class_cross_entropy(out_r.cls, c) + class_cross_entropy(out_f.cls, cf)
    return adversarial_d_loss(out_r.adv, out_f.adv, NS) + h.p.ac_weight * cls


def _ac_g(h: HandLoop, out, cf) -> Tensor:
    return NS.g(out.adv).mean() + h.p.ac_weight * class_cross_entropy(out.cls, cf)


def uacgan_ac_gan(h: HandLoop, step: int) -> dict[str, Tensor]:
    _uacgan_defaults(h)
    x, c = h.batch(step)
    xf, cf = h.generate(h.B)
    out_r, out_f = h.D(x), h.D(xf)
    d = _ac_d(h, x, c, xf, cf, out_r, out_f)
    h.update(("discriminator", d))
    xf, cf = h.generate(h.B, grad=True)
    g = _ac_g(h, h.D(xf), cf)
    h.update(("generator", g))
    return {"d": d, "g": g}


def uacgan_tac_gan(h: HandLoop, step: int) -> dict[str, Tensor]:
    _uacgan_defaults(h)
    w = h.p.twin_weight
    x, c = h.batch(step)
    xf, cf = h.generate(h.B)
    out_r, out_f = h.D(x), h.D(xf)
    d = _ac_d(h, x, c, xf, cf, out_r, out_f) + -w * UA.tac_twin_value(out_f.twin, cf)
    h.update(("discriminator", d))
    xf, cf = h.generate(h.B, grad=True)
    out = h.D(xf)
    g = _ac_g(h, out, cf) + w * UA.tac_twin_value(out.twin, cf)
    h.update(("generator", g))
    return {"d": d, "g": g}


def uacgan_uac_gan(h: HandLoop, step: int) -> dict[str, Tensor]:
    p, T = h.p, h.T
    _uacgan_defaults(h)
    _check(p.ma_trick and p.marginal == "permute" and not p.adaptive_clip and T.uses_features, h.name)
    x, c = h.batch(step)
    xf, cf = h.generate(h.B)
    out_r, out_f = h.D(x), h.D(xf)
    d = _ac_d(h, x, c, xf, cf, out_r, out_f)
    t_joint = T(xf, cf, out_f.features)
    t_marg = T(xf, UA.shuffle_conditions(cf), out_f.features)
    mine = UA.mine_ma_loss(t_joint, t_marg, T.mine_log_ma, p.ma_rate)
    T.mine_log_ma.copy_(mine.log_ma)
    h.update(("discriminator", d + mine.loss), ("statistics_network", mine.loss))  # T on D's trunk trains it too
    xf, cf = h.generate(h.B, grad=True)
    out = h.D(xf)
    dv = UA.donsker_varadhan(T(xf, cf, out.features), T(xf, UA.shuffle_conditions(cf), out.features))
    g = _ac_g(h, out, cf) + p.lambda_mi * dv
    h.update(("generator", g))
    return {"d": d, "t_mine": mine.loss, "g": g}


#: objective name -> one training step (D update, G update, prior update) of its hand-written loop: the
#: representatives of each built-in plugin's step shapes (see the module docstring)
HAND_STEPS: dict[str, Callable[[HandLoop, int], dict[str, Tensor]]] = {
    "core.cgan": core_cgan,                # one conditional output, selected by the condition
    "cagan.ca_gan": cagan_ca_gan,          # K conditional outputs, all used
    "amgan.am_gan": amgan_am_gan,          # K+1 class logits, targets from D itself
    "cgpgan.cgpgan": cgpgan_cgpgan,        # D, Q and G; two double-backward penalties; a prior updated every step
    "uacgan.ac_gan": uacgan_ac_gan,        # adversarial + class heads: the AC-GAN family's step
    "uacgan.tac_gan": uacgan_tac_gan,      # plus a twin classifier head (scaling.py's relative cost)
    "uacgan.uac_gan": uacgan_uac_gan,      # plus a statistics network trained with D
}
REPRESENTATIVES = tuple(HAND_STEPS)
