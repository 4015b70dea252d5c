"""UAC-GAN's claims (Table 1, 1-D mixture of Gaussians) for the claims table of ``docs/results/uacgan.md``.

Read from the per-run JSON ``uacgan/runs/<method>_s<seed>_<steps>.json`` (``mmd``: class 0, 1, 2, marginal).
Only runs of one budget (:data:`STEPS`) are compared. The methods' runs are not paired: a seed number shares
nothing between two methods' networks, so the tests are Mann-Whitney U.
"""

from __future__ import annotations

from condgan import Claim, ClaimsPage, Side

#: the D-step budget of the runs compared (the authors' setup)
STEPS = 30_000
#: index in a run's ``mmd`` list
MMD_INDEX = {"class 0": 0, "class 1": 1, "class 2": 2, "marginal": 3}
LABELS = {"ac_gan": "AC-GAN", "tac_gan": "TAC-GAN", "uac_gan": "UAC-GAN"}
#: Table 1 of the paper: MMD² per method and class, as printed
PAPER = {"ac_gan": {"class 0": "0.234", "class 1": "4.825", "class 2": "527.801", "marginal": "52.348"},
         "tac_gan": {"class 0": "0.077", "class 1": "0.459", "class 2": "2.772", "marginal": "0.351"},
         "uac_gan": {"class 0": "0.085", "class 1": "0.148", "class 2": "0.760", "marginal": "0.185"}}


#: the distances a run records: key -> name
DISTANCES = {"mmd": "MMD²", "mmd_gauss": "Gaussian MMD²", "w1": "W1"}


def mmd(method: str, part: str, key: str = "mmd") -> Side:
    """``method``'s distance ``key`` (default the paper's poly-2 MMD²) on ``part`` (a class or the marginal), one
    value per seed."""
    return Side.runs(f"{LABELS[method]} {part}" + (f" ({DISTANCES[key]})" if key != "mmd" else ""),
                     f"uacgan/runs/{method}_s[0-9]*_{STEPS}.json", f"{key}.{MMD_INDEX[part]}")


def _lower(method: str, than: str, part: str) -> Claim:
    a, b = PAPER[method][part], PAPER[than][part]
    return Claim(f"{LABELS[method]}'s {part} MMD² below {LABELS[than]}'s", f"Table 1: {a} vs {b}",
                 mmd(method, part), mmd(than, part), "less")


def _lower_other(key: str, part: str) -> Claim:
    return Claim(f"UAC-GAN's {part} {DISTANCES[key]} below TAC-GAN's (not in the paper; its poly-2 MMD² sees only two "
                 "moments)", f"Table 1 (poly-2 MMD²): {PAPER['uac_gan'][part]} vs {PAPER['tac_gan'][part]}",
                 mmd("uac_gan", part, key), mmd("tac_gan", part, key), "less")


def _ten_times(than: str, part: str) -> Claim:
    a, b = PAPER["ac_gan"][part], PAPER[than][part]
    return Claim(f"AC-GAN's {part} MMD² more than 10× {LABELS[than]}'s (\"≪ AC\")",
                 f"Table 1: {a} vs {b} ({float(a) / float(b):.0f}×)", mmd("ac_gan", part), mmd(than, part), "greater", factor=10)


NOTE = (f"Runs: {STEPS:,} D steps with G every 10 D steps (the authors' script), 10 seeds per method; the paper's "
        "number of runs is not stated. Class 0 is left out: the paper has UAC-GAN and TAC-GAN equal there (0.085 vs "
        "0.077). The poly-2 kernel compares only the first two moments; the Gaussian-kernel MMD² (median bandwidth) "
        "and the 1-D Wasserstein distance W1 see the whole distribution. The runs of the first, shortened "
        "reproduction (5,000 D steps, G every 2, 5 seeds) stay in `uacgan/runs/*_5000.json` and are not judged here.")

PAGES = (
    ClaimsPage("uacgan.md", [
        _lower("uac_gan", "tac_gan", "class 1"),
        _lower("uac_gan", "tac_gan", "class 2"),
        _lower("uac_gan", "tac_gan", "marginal"),
        _ten_times("tac_gan", "class 2"),
        _ten_times("tac_gan", "marginal"),
        _ten_times("uac_gan", "class 2"),
        _ten_times("uac_gan", "marginal"),
        *[_lower_other(key, part) for key in ("mmd_gauss", "w1") for part in ("class 1", "class 2", "marginal")],
    ], note=NOTE),
)
