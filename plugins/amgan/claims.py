"""AM-GAN's claims (Tables 1-2, Sec. 7.1) for the claims tables of ``docs/results/amgan.md`` (Fashion-MNIST) and
``docs/results/amgan-digits.md`` (8x8 digits).

Like with like: each claim compares two models under one labeling mode, against the paper's figure for that mode
(the dynamic-labeling column of Table 1 and row of Table 2, or the predefined ones). The runs are paired by seed:
each seed's models are scored by that seed's own evaluation classifier C.
"""

from __future__ import annotations

from condgan import Claim, ClaimsPage, Side

#: the results file of each seed, per dataset (relative to docs/results)
FILES = {"fashion": {0: "amgan/fashion_results.json", 1: "amgan/fashion_seed1_results.json"},
         "digits": {0: "amgan/digits_results.json", 1: "amgan/digits_seed1_results.json"}}
METRICS = {"am_score": "AM Score", "is": "IS", "am_mean_entropy": "per-sample entropy E_x H(C(x))",
           "ms_ssim_max": "max intra-class MS-SSIM"}


def metric(dataset: str, labeling: str, model: str, key: str) -> Side:
    """``model``'s ``key`` under ``labeling`` ("dynamic" / "predefined"), one value per seed."""
    return Side.seed_files(f"{model} ({labeling})", FILES[dataset], ("results", labeling, model, key))


def _claim(dataset: str, labeling: str, key: str, model: str, direction: str, than: str, paper: str) -> Claim:
    word = "below" if direction == "less" else "above"
    return Claim(f"{labeling} labeling: {model}'s {METRICS[key]} {word} {than}'s", paper,
                 metric(dataset, labeling, model, key), metric(dataset, labeling, than, key), direction, paired=True)


def claims(dataset: str) -> list[Claim]:
    d, p = "dynamic", "predefined"
    return [
        _claim(dataset, d, "am_score", "AM-GAN", "less", "LabelGAN", "Table 1, CIFAR-10 dynamic: 0.08 vs 0.13"),
        _claim(dataset, d, "is", "AM-GAN", "greater", "LabelGAN", "Table 1, CIFAR-10 dynamic: 8.83 vs 8.63"),
        _claim(dataset, d, "am_mean_entropy", "AM-GAN", "less", "LabelGAN", "Sec. 7.1.2 (dynamic): 0.079 vs 0.124"),
        _claim(dataset, d, "am_score", "AC-GAN*+", "less", "AC-GAN*", "Table 1, CIFAR-10 dynamic: 0.10 vs 0.17"),
        _claim(dataset, d, "ms_ssim_max", "AC-GAN*", "greater", "AM-GAN",
               "Table 2, dynamic: 0.61 vs 0.36 (AC-GAN* collapses)"),
        _claim(dataset, p, "am_score", "AM-GAN", "less", "AC-GAN*+", "Table 1, CIFAR-10 predefined: 0.05 vs 0.14"),
        _claim(dataset, p, "am_score", "AM-GAN", "less", "LabelGAN", "Table 1, CIFAR-10 predefined: 0.05 vs 0.25"),
        _claim(dataset, p, "is", "AM-GAN", "greater", "AC-GAN*+", "Table 1, CIFAR-10 predefined: 8.35 vs 8.01"),
        _claim(dataset, p, "am_score", "AC-GAN*+", "less", "AC-GAN*", "Table 1, CIFAR-10 predefined: 0.14 vs 0.16"),
    ]


NOTE = ("Runs: 1,500 steps per model, seeds 0 and 1 (the paper: about a million iterations on CIFAR-10). Two paired "
        "seeds cannot reach p < 0.05 (the smallest one-sided signed-rank p-value with 2 pairs is 0.25), so every "
        "verdict here is inconclusive until more seeds are run. The paper's Table 2 predefined row has AC-GAN* and "
        "AM-GAN equal (0.35 vs 0.36): no collapse claim is made there.")

#: the per-run records of ``condgan reproduce amgan-digits-seeds`` (5 seeds, 6,000 steps, dynamic labeling)
SEEDS_RECORDS = "amgan/runs/digits_6000/digits_{objective}_{labeling}_s[0-9]*.json"
SEEDS_MODELS = {"am_gan": "AM-GAN", "label_gan": "LabelGAN", "ac_gan_star": "AC-GAN*", "ac_gan_star_plus": "AC-GAN*+"}


def seeds_metric(objective: str, key: str, labeling: str = "dynamic") -> Side:
    return Side.runs(f"{SEEDS_MODELS[objective]}, 6,000 steps ({labeling})",
                     SEEDS_RECORDS.format(objective=objective, labeling=labeling), key)


def _seeds_claim(key: str, model: str, direction: str, than: str, paper: str, labeling: str = "dynamic") -> Claim:
    word = "below" if direction == "less" else "above"
    return Claim(f"{labeling} labeling, 6,000 steps: {SEEDS_MODELS[model]}'s {METRICS[key]} {word} "
                 f"{SEEDS_MODELS[than]}'s", paper, seeds_metric(model, key, labeling),
                 seeds_metric(than, key, labeling), direction, paired=True)


SEEDS_CLAIMS = [
    _seeds_claim("am_score", "am_gan", "less", "label_gan", "Table 1, CIFAR-10 dynamic: 0.08 vs 0.13"),
    _seeds_claim("is", "am_gan", "greater", "label_gan", "Table 1, CIFAR-10 dynamic: 8.83 vs 8.63"),
    _seeds_claim("am_mean_entropy", "am_gan", "less", "label_gan", "Sec. 7.1.2 (dynamic): 0.079 vs 0.124"),
    _seeds_claim("am_score", "am_gan", "less", "ac_gan_star", "Table 1, CIFAR-10 dynamic: 0.08 vs 0.17"),
    _seeds_claim("ms_ssim_max", "ac_gan_star", "greater", "am_gan",
                 "Table 2, dynamic: 0.61 vs 0.36 (AC-GAN* collapses)"),
    _seeds_claim("ms_ssim_max", "ac_gan_star", "greater", "label_gan",
                 "Table 2, dynamic: 0.61 vs 0.35 (AC-GAN* collapses)"),
    _seeds_claim("am_score", "ac_gan_star_plus", "less", "ac_gan_star", "Table 1, CIFAR-10 dynamic: 0.10 vs 0.17"),
]
SEEDS_NOTE = ("Runs: 6,000 steps per model (4x amgan-digits.md's), seeds 0-4, dynamic labeling; each seed's models "
              "are scored by that seed's evaluation classifier, so the tests pair runs by seed (the smallest one-sided "
              "signed-rank p-value with 5 pairs is 0.031). The paper: about a million iterations on CIFAR-10 with a "
              "DenseNet evaluation classifier.")

PAGES = (
    ClaimsPage("amgan.md", claims("fashion"), note=NOTE),
    ClaimsPage("amgan-digits.md", claims("digits"), note=NOTE),
    ClaimsPage("amgan-digits-seeds.md", SEEDS_CLAIMS, note=SEEDS_NOTE),
)
