"""TAC-GAN's twin-classifier term and UAC-GAN's MINE term, registered for ``core.composite`` (``register_losses``).

* ``twin``: V_TAC = E log C^mi(G(z, y), y) (Eq. 4) on D's ``twin`` head. Discriminator step: the twin classifier
  maximises it (loss -V_TAC, D's optimizer); generator step: G minimises it (loss +V_TAC).
* ``mine``: V_MINE, the Donsker-Varadhan bound of I(X; Y) on generated data (Eqs. 8-10) through the statistics
  network T. Discriminator step: T (and D's trunk when T shares it) maximises it (loss -V_MINE, the plain DV
  gradient: ``uacgan.uac_gan`` with ``ma_trick = false``); generator step: G minimises it (loss +V_MINE).
  MINE's bias-corrected gradient keeps a moving average across steps: that stays in the objective ``uacgan.uac_gan``.

The AC-GAN part (adversarial loss, class terms on real and generated data) is core's and cagan's terms.
"""

from __future__ import annotations

from typing import Literal

import attrs

from condgan import LossTerm, Reads

from . import losses as L


def _twin(v, o, s):
    value = L.tac_twin_value(v.out_fake.twin, v.fake.c)
    return -value if v.side == "discriminator" else value


TWIN = LossTerm(
    "twin", L.tac_twin_value, _twin,
    sides={"discriminator": "discriminator", "generator": "generator"},
    reads=Reads(fake={"twin": "K"}),
    equation="V_TAC = E log C^mi(G(z, y), y) (Eq. 4): the twin head maximises it (D step), G minimises it (G step)")


@attrs.frozen
class MineOptions:
    """Options of the MINE term."""

    #: how ȳ ~ P_Y is drawn for the product of marginals: "permute" the batch's labels or draw from the "prior"
    marginal: Literal["permute", "prior"] = attrs.field(default="permute",
                                                        validator=attrs.validators.in_(("permute", "prior")))


def _mine(v, o: MineOptions, s):
    m, fake = v.m, v.fake
    T = m.statistics_network
    out = v.out_fake

    def t(c):
        return T(fake.x, c, out.features) if T.uses_features else T(fake.x, c)

    t_joint = t(fake.c)
    if o.marginal == "prior":
        c_marg = m.sample_conditions(len(fake.c)).to(device=fake.c.device, dtype=fake.c.dtype)
    else:
        c_marg = L.shuffle_conditions(fake.c)
    dv = L.donsker_varadhan(t_joint, t(c_marg))
    return -dv if v.side == "discriminator" else dv


MINE = LossTerm(
    "mine", L.donsker_varadhan, _mine,
    # T's loss also maps to the discriminator: with a shared trunk it trains D's trunk (else it adds no gradient)
    sides={"discriminator": ("statistics_network", "discriminator"), "generator": "generator"},
    reads=Reads(statistics_network=True), options=MineOptions,
    equation="V_MINE = E_joint T - log E_marginal e^T on generated data (Eqs. 8-10): T maximises, G minimises")

TERMS = {
    "twin": (TWIN, "TAC-GAN's twin classifier V_TAC on the twin head: -V_TAC for D, +V_TAC for G (Eq. 4)"),
    "mine": (MINE, "UAC-GAN's MINE estimate of I(X;Y) on generated data: -V_MINE for T, +V_MINE for G (Eq. 10)"),
}
