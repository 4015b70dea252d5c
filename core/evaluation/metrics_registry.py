"""The built-in metrics as registered components: ``METRICS[local_name] = (factory, params_class, description)``.

The core plugin registers each under ``core.<name>``; plugins add more through ``register_metrics``. Every metric
here is a thin :class:`~condgan.evaluation.metric.Metric` over a pure function in this package (``fid.py``,
``kid.py``, ``prdc.py``, ``scores.py``, ``classifier_metrics.py``, ``mmd.py``, ``clustering.py``; KID and MMD share
the kernels and the unbiased MMD² of ``kernels.py``), which holds the math, the equation numbers and the sample-count
rules.
"""

from __future__ import annotations

from typing import Callable

import attrs
import torch
from attrs import validators as v

from . import classifier_metrics, clustering, fid, kid, mmd, prdc, scores
from .metric import EvalInputs, Metric
from .sample_checks import require_at_least, warn_if_few_per_class

_pos = v.gt(0)


# ------------------------------------------------------------------------------------------- feature-based metrics

@attrs.frozen
class NoParams:
    """This metric takes no parameters."""


class FID(Metric):
    """FID between evaluator features of real and generated samples (float64, eigenvalue square root)."""

    requires = frozenset({"real_features", "fake_features"})
    keys = ("fid",)
    higher_is_better = False

    def compute(self, inputs: EvalInputs):
        return {"fid": fid.fid(inputs.real_features, inputs.fake_features)}


class IntraFID(Metric):
    """Intra-class FID (CA-GAN's measure): per target class against the real samples of that class, and the mean."""

    requires = frozenset({"real_features", "real_labels", "fake_features", "fake_labels"})
    keys = ("intra_fid",)
    higher_is_better = False

    def compute(self, inputs: EvalInputs):
        mean, per_class = fid.intra_class_fid(inputs.real_features, inputs.real_labels, inputs.fake_features,
                                              inputs.fake_labels, inputs.num_classes)
        return {"intra_fid": mean, "intra_fid_per_class": per_class}


@attrs.frozen
class KIDParams:
    """subset_size: samples per subset (reduced to the smaller set, with a warning); n_subsets: subsets averaged;
    seed: subset draws."""

    subset_size: int = attrs.field(default=1000, validator=v.ge(2))
    n_subsets: int = attrs.field(default=100, validator=v.ge(1))
    seed: int = 0


class KID(Metric):
    """KID: unbiased polynomial-kernel MMD² averaged over random subsets (reported with its std over subsets)."""

    requires = frozenset({"real_features", "fake_features"})
    keys = ("kid", "kid_std")
    higher_is_better = False
    bootstrap = False

    def __init__(self, params: KIDParams | None = None, ctx=None):
        super().__init__(params or KIDParams(), ctx)

    def compute(self, inputs: EvalInputs):
        p = self.params
        mean, std = kid.kid(inputs.real_features, inputs.fake_features, p.subset_size, p.n_subsets, p.seed)
        return {"kid": mean, "kid_std": std}


class IntraKID(KID):
    """Intra-class KID: unbiased at any per-class count, the honest per-class measure when n_k < feature dim."""

    requires = frozenset({"real_features", "real_labels", "fake_features", "fake_labels"})
    keys = ("intra_kid",)

    def compute(self, inputs: EvalInputs):
        p = self.params
        mean, per_class = kid.intra_class_kid(inputs.real_features, inputs.real_labels, inputs.fake_features,
                                              inputs.fake_labels, inputs.num_classes, p.subset_size, p.n_subsets,
                                              p.seed)
        return {"intra_kid": mean, "intra_kid_per_class": per_class}


@attrs.frozen
class KNNParams:
    """k: the neighbour whose distance sets each sample's radius (3 for precision/recall, 5 for density/coverage)."""

    k: int = attrs.field(default=3, validator=v.ge(1))


@attrs.frozen
class DCParams:
    """k: the neighbour whose distance sets each real sample's radius (Naeem et al. recommend 5)."""

    k: int = attrs.field(default=5, validator=v.ge(1))


class PrecisionRecall(Metric):
    """Improved precision and recall on k-NN manifolds (Kynkäänniemi et al., 2019)."""

    requires = frozenset({"real_features", "fake_features"})
    keys = ("precision", "recall")
    higher_is_better = True
    #: resampling with replacement duplicates points, whose zero k-NN distances shrink the radii: bootstrap
    #: intervals of k-NN metrics are biased (measured: the 95% interval missed the full-sample value), so none
    bootstrap = False

    def __init__(self, params: KNNParams | None = None, ctx=None):
        super().__init__(params or KNNParams(), ctx)

    def compute(self, inputs: EvalInputs):
        p, r = prdc.precision_recall(inputs.real_features, inputs.fake_features, self.params.k)
        return {"precision": p, "recall": r}


class DensityCoverage(Metric):
    """Density and coverage (Naeem et al., 2020)."""

    requires = frozenset({"real_features", "fake_features"})
    keys = ("density", "coverage")
    higher_is_better = True
    bootstrap = False  # see PrecisionRecall

    def __init__(self, params: DCParams | None = None, ctx=None):
        super().__init__(params or DCParams(), ctx)

    def compute(self, inputs: EvalInputs):
        d, c = prdc.density_coverage(inputs.real_features, inputs.fake_features, self.params.k)
        return {"density": d, "coverage": c}


# ------------------------------------------------------------------------------------------ classifier-based ones

@attrs.frozen
class ISParams:
    """splits: chunks for the "mean ± std" convention of Salimans et al. (1 = one score over all samples)."""

    splits: int = attrs.field(default=10, validator=v.ge(1))


class InceptionScore(Metric):
    """Inception Score (AM-GAN Eq. 21) with the evaluation classifier; in [1, K]."""

    requires = frozenset({"fake_probs"})
    keys = ("is", "is_std")
    higher_is_better = True

    def __init__(self, params: ISParams | None = None, ctx=None):
        super().__init__(params or ISParams(), ctx)

    def compute(self, inputs: EvalInputs):
        n = inputs.fake_probs.shape[0]
        require_at_least("Inception Score", {"generated": n}, 2 * self.params.splits,
                         f"{self.params.splits} splits need at least two samples each")
        warn_if_few_per_class("Inception Score", n // self.params.splits, inputs.fake_probs.shape[1])
        mean, std = scores.inception_score_splits(inputs.fake_probs, self.params.splits)
        return {"is": float(mean), "is_std": float(std)}


def _train_marginal(inputs: EvalInputs, metric: str) -> torch.Tensor:
    """C̄^train from the reference split; warns when either marginal rests on too few samples."""
    k = inputs.fake_probs.shape[1]
    warn_if_few_per_class(metric, inputs.fake_probs.shape[0], k, stacklevel=4)
    warn_if_few_per_class(f"{metric} (reference)", inputs.real_probs.shape[0], k, stacklevel=4)
    return scores.class_marginal(inputs.real_probs)


class ModeScore(Metric):
    """Mode Score (AM-GAN Eq. 38), reference marginal = the evaluator's mean prediction on the reference split."""

    requires = frozenset({"fake_probs", "real_probs"})
    keys = ("mode_score",)
    higher_is_better = True

    def compute(self, inputs: EvalInputs):
        return {"mode_score": float(scores.mode_score(inputs.fake_probs, _train_marginal(inputs, "Mode Score")))}


class AMScore(Metric):
    """AM Score (AM-GAN Eq. 23) and its two terms; lower is better, minimum 0."""

    requires = frozenset({"fake_probs", "real_probs"})
    keys = ("am_score", "am_marginal_kl", "am_mean_entropy")
    higher_is_better = False

    def compute(self, inputs: EvalInputs):
        t = scores.am_score_terms(inputs.fake_probs, _train_marginal(inputs, "AM Score"))
        return {"am_score": float(t.score), "am_marginal_kl": float(t.marginal_kl),
                "am_mean_entropy": float(t.mean_entropy)}


class ClassAccuracy(Metric):
    """Accuracy of the evaluation classifier on generated samples against their target class (label consistency)."""

    requires = frozenset({"fake_probs", "fake_labels"})
    keys = ("class_accuracy",)
    higher_is_better = True

    def compute(self, inputs: EvalInputs):
        acc, per_class = classifier_metrics.class_accuracy(inputs.fake_probs, inputs.fake_labels, inputs.num_classes)
        return {"class_accuracy": acc, "class_accuracy_per_class": per_class}


class ClassHistogram(Metric):
    """Generated class histogram (evaluator argmax) against the target distribution: TV distance and KL."""

    requires = frozenset({"fake_probs"})
    keys = ("class_tv", "class_kl")
    higher_is_better = False

    def compute(self, inputs: EvalInputs):
        h = classifier_metrics.class_histogram(inputs.fake_probs, inputs.target_prior)
        return {"class_tv": h["tv"], "class_kl": h["kl"], "class_histogram": h["histogram"],
                "class_soft_histogram": h["soft_histogram"], "class_target": h["target"]}


# ------------------------------------------------------------------------------------------ data-space and clusters

@attrs.frozen
class MMDParams:
    """The TAC-GAN/UAC-GAN protocol by default: resample ``n`` points with replacement per set (0 = use the sets as
    they are), unbiased MMD² with the polynomial kernel of ``degree`` (or "gaussian", median bandwidth);
    per_class adds MMD² per target class and their mean."""

    kernel: str = attrs.field(default="polynomial", validator=v.in_(("polynomial", "gaussian")))
    degree: int = attrs.field(default=2, validator=v.ge(1))
    n: int = attrs.field(default=10_000, validator=v.ge(0))
    per_class: bool = True
    seed: int = 0


class MMD(Metric):
    """Unbiased MMD² on the raw samples (UAC-GAN Table 1's 1-D mixture-of-Gaussians metric)."""

    requires = frozenset({"real_samples", "fake_samples"})
    keys = ("mmd2",)
    higher_is_better = False
    bootstrap = False

    def __init__(self, params: MMDParams | None = None, ctx=None):
        super().__init__(params or MMDParams(), ctx)

    def _one(self, fake: torch.Tensor, real: torch.Tensor, gen: torch.Generator) -> float:
        p = self.params
        if p.n > 0:
            fake, real = mmd.resample_with_replacement(fake, p.n, gen), mmd.resample_with_replacement(real, p.n, gen)
        return float(mmd.mmd2_unbiased(fake.double(), real.double(), kernel=p.kernel, degree=p.degree))

    def compute(self, inputs: EvalInputs):
        require_at_least("MMD", {"real": inputs.real_samples.shape[0], "fake": inputs.fake_samples.shape[0]}, 2,
                         "the unbiased MMD needs two samples per set")
        gen = torch.Generator().manual_seed(self.params.seed)
        out: dict = {"mmd2": self._one(inputs.fake_samples, inputs.real_samples, gen)}
        if self.params.per_class and inputs.real_labels is not None and inputs.fake_labels is not None:
            yr, yf = inputs.real_labels, inputs.fake_labels
            counts = {}
            for k in range(inputs.num_classes):
                counts[f"class {k} real"], counts[f"class {k} fake"] = int((yr == k).sum()), int((yf == k).sum())
            require_at_least("per-class MMD", counts, 2, "each class needs two samples per set")
            per = [self._one(inputs.fake_samples[yf == k], inputs.real_samples[yr == k], gen)
                   for k in range(inputs.num_classes)]
            out["mmd2_class_mean"] = sum(per) / len(per)
            out["mmd2_per_class"] = per
        return out


@attrs.frozen
class ClusteringParams:
    """source: "generated" (do the categories a sample was generated for map to the evaluator's classes?) or "real"
    (do the trained model's own category predictions on real data match the true labels? CGPGAN, InfoGAN);
    mode: cluster-to-class mapping, see condgan.evaluation.clustering."""

    source: str = attrs.field(default="generated", validator=v.in_(("generated", "real")))
    mode: str = attrs.field(default="hungarian_majority", validator=v.in_(clustering.MODES))


class Clustering(Metric):
    """Cluster accuracy and NMI between categories and classes (self-supervised conditional GANs)."""

    requires = frozenset({"fake_probs", "fake_labels"})
    keys = ("cluster_accuracy", "nmi")
    higher_is_better = True

    def __init__(self, params: ClusteringParams | None = None, ctx=None):
        super().__init__(params or ClusteringParams(), ctx)
        if self.params.source == "real":
            self.requires = frozenset({"real_model_labels", "real_labels"})

    def compute(self, inputs: EvalInputs):
        if self.params.source == "real":
            truth, pred = inputs.real_labels, inputs.real_model_labels
        else:
            truth, pred = inputs.fake_probs.argmax(dim=1), inputs.fake_labels
        require_at_least("cluster accuracy", {"samples": len(truth)}, 1, "an accuracy needs a sample")
        warn_if_few_per_class("cluster accuracy", len(truth), inputs.num_classes)
        return {"cluster_accuracy": clustering.cluster_accuracy(truth, pred, self.params.mode),
                "nmi": clustering.nmi(truth, pred)}


#: local name -> (factory, params class or None, one-line description)
METRICS: dict[str, tuple[Callable[..., Metric], type | None, str]] = {
    "fid": (FID, None, "FID on evaluator features (float64, eigenvalue matrix square root)"),
    "intra_fid": (IntraFID, None, "intra-class FID per target class and its mean (CA-GAN's measure)"),
    "kid": (KID, KIDParams, "KID: unbiased cubic-kernel MMD² over random subsets, mean and std"),
    "intra_kid": (IntraKID, KIDParams, "intra-class KID per target class and its mean (unbiased at small n)"),
    "precision_recall": (PrecisionRecall, KNNParams, "improved precision and recall on k-NN manifolds"),
    "density_coverage": (DensityCoverage, DCParams, "density and coverage (Naeem et al. 2020)"),
    "inception_score": (InceptionScore, ISParams, "Inception Score with the evaluation classifier (AM-GAN Eq. 21)"),
    "mode_score": (ModeScore, None, "Mode Score against the reference split's class marginal (AM-GAN Eq. 38)"),
    "am_score": (AMScore, None, "AM Score and its two terms (AM-GAN Eq. 23; lower is better)"),
    "class_accuracy": (ClassAccuracy, None, "evaluator accuracy on generated samples vs their target class"),
    "class_histogram": (ClassHistogram, None, "generated class histogram vs the target prior (TV, KL)"),
    "mmd": (MMD, MMDParams, "unbiased MMD² on raw samples, marginal and per class (UAC-GAN Table 1)"),
    "clustering": (Clustering, ClusteringParams, "cluster accuracy and NMI of categories vs classes"),
}

#: what `condgan evaluate` computes when no --metrics are given (image data with an evaluator)
DEFAULT_METRICS: tuple[str, ...] = ("fid", "intra_fid", "kid", "precision_recall", "density_coverage",
                                    "inception_score", "class_accuracy", "class_histogram")


def build_metric(name: str, params=None, ctx=None) -> Metric:
    """Build a built-in metric by local name (``params`` None: the params class's defaults)."""
    factory, params_cls, _ = METRICS[name]
    if params is None and params_cls is not None:
        params = params_cls()
    return factory(params, ctx)
