r"""ReACGAN (Kang et al., "Rebooting ACGAN: Auxiliary Classifier GANs with Stable Training", NeurIPS 2021): the
Data-to-Data Cross-Entropy (D2D-CE) as a pure function.

f_i is the discriminator's embedding of sample i, normalised to the unit sphere; v_y the proxy (class embedding) of
class y, normalised; τ the temperature. N(i) are the samples of the batch whose class differs from y_i (the
"false negatives", other samples of the same class, are removed). With the margins m_p (positive) and m_n (negative)

.. math::
    \mathrm{D2D\text{-}CE}_i = -\log \frac{\exp(\lfloor f_i^\top v_{y_i} - m_p\rfloor_- / τ)}
        {\exp(\lfloor f_i^\top v_{y_i} - m_p\rfloor_- / τ) + \sum_{j \in N(i)} \exp(\lceil f_i^\top f_j - m_n\rceil_+ / τ)}

with ⌊a⌋₋ = min(a, 0) and ⌈a⌉₊ = max(a, 0). The margins stop the pull once a sample is close enough to its proxy
(cosine ≥ m_p) and the push once it is far enough from another class's sample (cosine ≤ m_n): easy samples get no
gradient, which is what keeps ReACGAN from AC-GAN's early collapse.

==============================================  =======================================================  ==========
quantity                                        formula                                                  function
==============================================  =======================================================  ==========
D2D-CE (ReACGAN Sec. 4, the loss with margins) the equation above, per sample                            :func:`d2d_ce`
D's class term                                  λ E_real D2D-CE                                          ``ReACGANObjective`` (d_d2d)
G's class term                                  λ E_fake D2D-CE                                          ``ReACGANObjective`` (g_d2d)
==============================================  =======================================================  ==========

The authors' code (POSTECH-CVLab/PyTorch-StudioGAN, ``Data2DataCrossEntropyLoss``) ties m_n = 1 − m_p (m_p = 0.98,
τ = 0.5 in every shipped config) and, "for numerical stability", subtracts each row's largest (pre-clamp, detached)
sample similarity from the negative logits only. That shift is not applied to the positive logit, so it changes
the loss's value and gradient, not only its rounding; it is the option ``negative_shift`` here (off by default:
the paper's equation). The default :func:`d2d_ce` is computed stably with a LogSumExp over the positive and the
negative logits, which is exact.

>>> f = torch.tensor([[1.0, 0.0], [0.0, 1.0]]); y = torch.tensor([0, 1])
>>> d2d_ce(f, torch.ones(2), y, m_p=0.98, m_n=0.02, temperature=0.5)  # both easy: log(1 + e^0)
tensor([0.6931, 0.6931])
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

__all__ = ["d2d_ce"]


def d2d_ce(embed: Tensor, proxy_sim: Tensor, y: Tensor, *, m_p: float = 0.98, m_n: float = 0.02,
           temperature: float = 0.5, negative_shift: bool = False) -> Tensor:
    r"""The Data-to-Data Cross-Entropy with margins, per sample (ReACGAN; see the module docstring).

    Args:
        embed: ``(B, E)`` embeddings f_i (normalised here; any positive scale gives the same loss).
        proxy_sim: ``(B,)`` cosine similarity f_iᵀv_{y_i} of each sample with its own class's proxy, in [-1, 1].
        y: ``(B,)`` integer classes; samples of the same class are not negatives of each other.
        m_p: positive margin: a similarity to the proxy above m_p is clamped (no more pull).
        m_n: negative margin: a similarity to another class's sample below m_n is clamped (no more push).
        temperature: τ > 0.
        negative_shift: the authors' code's shift of the negative logits by each row's largest sample similarity
            (detached); off: the paper's equation.
    Returns:
        ``(B,)`` losses (no reduction). A sample without negatives has loss 0.
    """
    f = F.normalize(embed, dim=1)
    sim = f @ f.T
    pos = torch.clamp(proxy_sim - m_p, max=0.0) / temperature
    neg = torch.clamp(sim - m_n, min=0.0) / temperature
    if negative_shift:
        off_diag = ~torch.eye(len(f), dtype=torch.bool, device=f.device)
        raw = ((sim - m_n) / temperature).masked_fill(~off_diag, float("-inf"))
        neg = neg - raw.max(dim=1, keepdim=True).values.detach()
    negatives = y.view(-1, 1) != y.view(1, -1)
    neg = neg.masked_fill(~negatives, float("-inf"))
    logits = torch.cat([pos.unsqueeze(1), neg], dim=1)
    return torch.logsumexp(logits, dim=1) - pos
