"""CGPGAN's classifier terms and InfoGAN's mutual-information term (Cho 2024), registered for ``core.composite``.

* ``classification``: L_cls = E[-c · log softmax(Q(G(z, c)))] (Eq. 4) through the classifier Q on generated data.
  Discriminator step: trains Q (CGPGAN's λ_cls L_cls of Eq. 7; InfoGAN's L_q of Eq. 1, Q's side of the MI lower
  bound); generator step: trains G (InfoGAN's λ_cls L_cls in G's loss, Eq. 3: the MI term).
* ``classifier_gradient_penalty``: L_creg = E ||∇_x' (1 - softmax(Q(x')) · c)²||² (Eq. 10) on generated data, in
  the discriminator step, training Q.

CGPGAN's labels of real data (argmax of Q, prob-normalised early) and its EMA prior are state: CGPGAN stays the
objective ``cgpgan.cgpgan``. InfoGAN draws conditions before noise (another random stream than a composite's
``Models.generate``), so it stays ``cgpgan.infogan``; both register their terms here for other mixes.
"""

from __future__ import annotations

from condgan import LossTerm, Reads

from . import losses as L

CLASSIFICATION = LossTerm(
    "classification", L.classification_loss,
    lambda v, o, s: L.classification_loss(v.classifier("fake"), v.fake.c),
    sides={"discriminator": "classifier", "generator": "generator"},
    reads=Reads(classifier=("fake",)),
    equation="L_cls = E[-c · log softmax(Q(G(z, c)))] (Eq. 4): Q in the D step, G in the G step (InfoGAN's MI term)")

CLASSIFIER_GP = LossTerm(
    "classifier_gradient_penalty", L.classifier_gradient_penalty,
    lambda v, o, s: L.classifier_gradient_penalty(v.classifier("fake"), v.fake.c, v.classifier_input("fake")),
    sides={"discriminator": "classifier"},
    reads=Reads(classifier=("fake",), penalty=("classifier_fake",)),
    equation="L_creg = E ||∇_x' (1 - softmax(Q(x')) · c)²||² on generated x' (Eq. 10)")

TERMS = {
    "classification": (CLASSIFICATION, "Q's cross-entropy on generated data: CGPGAN's L_cls (Q) and InfoGAN's MI "
                                       "term (Q in the D step, G in the G step)"),
    "classifier_gradient_penalty": (CLASSIFIER_GP, "CGPGAN's classifier gradient penalty on generated data (Eq. 10)"),
}
