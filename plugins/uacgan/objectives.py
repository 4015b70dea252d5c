"""AC-GAN (Eq. 1), TAC-GAN (Eqs. 4-5) and UAC-GAN (Eq. 10) as thin subclasses of core's one AC-GAN
(:class:`condgan.ACGANObjective`, whose terms are Eq. 1) over :mod:`.losses`.

The auxiliary classifier C is the discriminator's ``cls`` head and TAC-GAN's twin C^mi its ``twin`` head (shared
trunk, as in both authors' code), so the D, C and C^mi losses all update the discriminator's optimizer. UAC-GAN's
statistics network T has its own optimizer; when T shares D's trunk (``uacgan.projection`` with ``shared_trunk``)
the MINE loss also updates the discriminator (the trunk), like the authors' code where T's parameters are D's.
The generator update every n discriminator steps is ``run.g_every`` (10 in the 1-D MoG protocol).
"""

from __future__ import annotations

from typing import Literal

import attrs
from torch import Tensor

from condgan import ACGANObjective as CoreACGAN
from condgan import ACGANParams as CoreACGANParams
from condgan import Batch, BuildContext, DiscriminatorOutput, Models, StepOutput, component_field

from . import losses as L


@attrs.frozen
class ACGANParams:
    """AC-GAN (Odena et al.; UAC-GAN Eq. 1), the switches of ``core.ac_gan`` under the authors' names.

    adversarial: loss family for term (a) (default non-saturating BCE, as in the authors' code).
    ac_weight: weight w of the classification terms (b), (c) (1 in the authors' code).
    ac_on_fake: C also classifies generated data in D's update, term (c) for C as in Eq. 1 (default). The original
        TAC-GAN code and the authors' UAC-GAN image runs (``--no_ac_on_fake``) use False: C on real data only.
    """

    adversarial: str = component_field("adversarial_losses", "core.non_saturating")
    ac_weight: float = attrs.field(default=1.0, validator=attrs.validators.ge(0.0))
    ac_on_fake: bool = True


@attrs.frozen
class TACGANParams:
    """TAC-GAN (Gong et al.; UAC-GAN Eqs. 4-5): AC-GAN plus a twin classifier C^mi (the ``twin`` head) trained on
    generated data, which G plays against. ``twin_weight`` is λ_tac (1 in both authors' code)."""

    adversarial: str = component_field("adversarial_losses", "core.non_saturating")
    ac_weight: float = attrs.field(default=1.0, validator=attrs.validators.ge(0.0))
    ac_on_fake: bool = True
    twin_weight: float = attrs.field(default=1.0, validator=attrs.validators.ge(0.0))


@attrs.frozen
class UACGANParams:
    """UAC-GAN (Han et al., Eq. 10): AC-GAN plus λ_mi · V_MINE; G and C minimise, D and T maximise.

    lambda_mi: weight of V_MINE in G's loss (0.1 in the authors' image runs, 1 in the 1-D MoG script).
    ma_rate: rate of MINE's moving average of E[e^T] (1e-3 images, 2e-3 MoG script); ``ma_trick = false`` uses the
        plain DV gradient for T (the authors' ``--no_ma_trick``).
    marginal: how ȳ ~ P_Y is drawn for the product of marginals: "permute" the batch's labels (image code) or draw
        from the "prior" afresh (MoG script).
    adaptive_clip: MINE's adaptive gradient clipping of G's MI gradient, g_u + g_m·min(|g_u|, |g_m|)/|g_m| (the MoG
        script hard-codes it; the paper does not mention it). Two extra backward passes per G step.
    """

    adversarial: str = component_field("adversarial_losses", "core.non_saturating")
    ac_weight: float = attrs.field(default=1.0, validator=attrs.validators.ge(0.0))
    ac_on_fake: bool = True
    lambda_mi: float = attrs.field(default=1.0, validator=attrs.validators.ge(0.0))
    ma_rate: float = attrs.field(default=1e-3, validator=[attrs.validators.gt(0.0), attrs.validators.le(1.0)])
    ma_trick: bool = True
    marginal: Literal["permute", "prior"] = attrs.field(default="permute", validator=attrs.validators.in_(("permute", "prior")))
    adaptive_clip: bool = False


class ACGANObjective(CoreACGAN):
    """AC-GAN as UAC-GAN's Eq. 1 writes it: core's one AC-GAN (``core.ac_gan``) with the switches named as the
    authors' code names them: ``ac_weight`` is λ_cls, ``ac_on_fake`` is ``cls_fake_in_d``.

    L_D = E f_r^d(D(x)) + E f_g^d(D(G)) + w[CE(C(x), y) + CE(C(G), y)·ac_on_fake];  L_G = E f^g(D(G)) + w CE(C(G), y)."""

    losses = {"d_adv": "discriminator", "d_cls": "discriminator", "g_adv": "generator", "g_cls": "generator"}

    @classmethod
    def acgan_params(cls, params) -> CoreACGANParams:
        return CoreACGANParams(adversarial=params.adversarial, lambda_cls=params.ac_weight,
                               cls_fake_in_d=params.ac_on_fake)


class TACGANObjective(ACGANObjective):
    """AC-GAN + twin classifier: L_D += w_tac CE(C^mi(G), y);  L_G += -w_tac CE(C^mi(G), y) (= w_tac V_TAC)."""

    losses = {**ACGANObjective.losses, "d_twin": "discriminator", "g_twin": "generator"}

    def heads(self) -> dict[str, int]:
        return {**super().heads(), "twin": self.ctx.num_conditions}

    def discriminator_step(self, m: Models, real: Batch, step: int) -> StepOutput:
        d = m.discriminate(real, step)
        losses, logs = self.discriminator_terms(m, d, step)
        losses["d_twin"] = -self.params.twin_weight * L.tac_twin_value(d.out_fake.twin, d.fake.c)
        return StepOutput(losses, logs=logs)

    def generator_step(self, m: Models, real: Batch, step: int) -> StepOutput:
        fake = m.generate(len(real), grad=True)
        out = m.fake_outputs(real, fake, step)
        losses = self.generator_terms(m, real, fake, out)
        losses["g_twin"] = self.params.twin_weight * L.tac_twin_value(out.twin, fake.c)
        return StepOutput(losses)


class UACGANObjective(ACGANObjective):
    """AC-GAN + MINE (Eq. 10). T maximises V_MINE with MINE's bias-corrected gradient (loss ``t_mine``); G minimises
    λ_mi·DV(T(G(z, y), y), T(G(z, y), ȳ)) (loss ``g_mi``). T's moving average lives in T's buffer
    (``StatisticsNetwork.keep_mine_moving_average``; checkpointed with T) when it has one, else on the objective."""

    requires = frozenset({"statistics_network"})
    default_components = {"statistics_network": "uacgan.projection"}
    # t_mine also maps to the discriminator: with a shared trunk it trains D's trunk (else it adds no gradient there)
    losses = {**ACGANObjective.losses, "t_mine": ("statistics_network", "discriminator"), "g_mi": "generator"}

    def __init__(self, params: UACGANParams, ctx: BuildContext):
        super().__init__(params, ctx)
        self._log_ma: Tensor | None = None

    @staticmethod
    def _t(m: Models, x: Tensor, c: Tensor, out: DiscriminatorOutput) -> Tensor:
        T = m.statistics_network
        return T(x, c, out.features) if T.uses_features else T(x, c)

    def _marginal(self, m: Models, c: Tensor) -> Tensor:
        if self.params.marginal == "prior":
            return m.sample_conditions(len(c)).to(device=c.device, dtype=c.dtype)
        return L.shuffle_conditions(c)

    def discriminator_step(self, m: Models, real: Batch, step: int) -> StepOutput:
        d = m.discriminate(real, step)
        losses, logs = self.discriminator_terms(m, d, step)
        fake, out_f = d.fake, d.out_fake
        t_joint = self._t(m, fake.x, fake.c, out_f)
        t_marg = self._t(m, fake.x, self._marginal(m, fake.c), out_f)
        T = m.statistics_network
        if self.params.ma_trick:
            kept = T.mine_moving_average  # StatisticsNetwork's optional buffer protocol
            mine = L.mine_ma_loss(t_joint, t_marg, kept if kept is not None else self._log_ma, self.params.ma_rate)
            if kept is not None:
                kept.copy_(mine.log_ma)
            else:
                self._log_ma = mine.log_ma
            losses["t_mine"], mi = mine.loss, mine.mi
        else:
            dv = L.donsker_varadhan(t_joint, t_marg)
            losses["t_mine"], mi = -dv, dv.detach()
        return StepOutput(losses, logs={**logs, "mi_T": mi})

    def generator_step(self, m: Models, real: Batch, step: int) -> StepOutput:
        fake = m.generate(len(real), grad=True)
        out = m.fake_outputs(real, fake, step)
        losses = self.generator_terms(m, real, fake, out)
        dv = L.donsker_varadhan(self._t(m, fake.x, fake.c, out), self._t(m, fake.x, self._marginal(m, fake.c), out))
        g_mi = self.params.lambda_mi * dv
        logs = {"mi_G": dv.detach()}
        if self.params.adaptive_clip:
            scale = L.adaptive_mi_scale(losses["g_adv"] + losses["g_cls"], g_mi, list(m.generator.parameters()))
            g_mi = scale * g_mi
            logs["mi_scale"] = scale
        losses["g_mi"] = g_mi
        return StepOutput(losses, logs=logs)


OBJECTIVES = {
    "ac_gan": (ACGANObjective, ACGANParams,
               "AC-GAN (UAC-GAN paper Eq. 1; core.ac_gan with the authors' switch names) with a switch for classifying fakes in D"),
    "tac_gan": (TACGANObjective, TACGANParams, "TAC-GAN: AC-GAN plus an adversarial twin classifier (Eqs. 4-5)"),
    "uac_gan": (UACGANObjective, UACGANParams, "UAC-GAN: AC-GAN plus lambda_mi * MINE estimate of I(X;Y) (Eq. 10)"),
}

