r"""Relativistic-average GAN loss (Jolicoeur-Martineau 2018, Eqs. 11-12) on conditional logits, as pure functions.

With critic values ``t_r`` (real) and ``t_f`` (fake), both ``(B,)``:

    L_D = E_r[softplus(-(t_r - mean(t_f)))] + E_f[softplus(t_f - mean(t_r))]
    L_G = E_f[softplus(-(t_f - mean(t_r)))] + E_r[softplus(t_r - mean(t_f))]

>>> t = torch.zeros(4)
>>> float(ra_d_loss(t, t))  # 2 log 2 when real and fake are indistinguishable
1.3862943649291992
"""

import torch
import torch.nn.functional as F
from torch import Tensor


def ra_d_loss(t_real: Tensor, t_fake: Tensor) -> Tensor:
    """Discriminator loss (Eq. 11): real should look more real than the average fake, and vice versa."""
    return F.softplus(-(t_real - t_fake.mean())).mean() + F.softplus(t_fake - t_real.mean()).mean()


def ra_g_loss(t_real: Tensor, t_fake: Tensor) -> Tensor:
    """Generator loss (Eq. 12): the roles of real and fake swapped."""
    return F.softplus(-(t_fake - t_real.mean())).mean() + F.softplus(t_real - t_fake.mean()).mean()


torch  # noqa: B018
