"""The objective's dry step: a plugin objective that returns what the loop cannot use fails before step 1, naming the
plugin, the side and what was expected, instead of a traceback from inside the loop.

:func:`check_objective_step` runs ``discriminator_step`` and ``generator_step`` once on the first ``batch_size`` rows
of the dataset, on *deep copies* of the objective and the models, with the torch (CPU and this device's CUDA),
NumPy and Python RNG states restored afterwards. Nothing of the run is touched: no weight, BatchNorm statistic,
spectral-norm vector, prior state, objective state (UAC-GAN's ``mine_log_ma``) or random number; no backward and
no optimizer step happen; nothing is written. ``train`` calls it before it takes the run directory's lock, so a
misbehaving plugin leaves no trace. The cost is one forward pass of each side and a transient copy of the networks
(``tests/core/test_misbehaving_plugins.py`` shows that a run's weights and RNG state are bit-identical with the check
on and off). Why copies and not a check at the first real step: the first step is reached only after the run
directory was prepared (config, manifest, metrics.csv written) and, on resume, after the checkpoint was loaded; a
dry step on copies fails earlier, writes nothing, and is the same code for fresh and resumed runs.

Checked: each side returns a ``StepOutput``; every loss name is in the objective's ``losses`` table; every loss is
a one-element tensor with a finite value; ``class_probs`` (when returned) is ``(B, K)``; a step that raises is
reported with the exception.
"""

from __future__ import annotations

import copy
import random

import numpy as np
import torch

from .errors import ConfigError
from .interfaces import StepOutput


def _check_output(out, objective, side: str, K: int) -> list[str]:
    if not isinstance(out, StepOutput):
        return [f"{side} returned {type(out).__qualname__}; expected a condgan.interfaces.StepOutput"]
    problems = []
    table = ", ".join(objective.losses) or "(empty)"
    for name, loss in out.losses.items():
        if name not in objective.losses:
            problems.append(f"{side} returned loss '{name}', which its `losses` table ({table}) does not name; "
                            f"expected every loss to be listed there with the optimizer(s) it updates")
            continue
        if not isinstance(loss, torch.Tensor):
            problems.append(f"{side} returned loss '{name}' as {type(loss).__name__}; expected a scalar tensor")
        elif loss.numel() != 1:
            problems.append(f"{side} returned loss '{name}' of shape {tuple(loss.shape)}; expected a scalar "
                            f"(one-element) tensor, e.g. a .mean() over the batch")
        elif not bool(torch.isfinite(loss.detach()).all()):
            problems.append(f"{side} returned loss '{name}' = {loss.item()} on the first batch with freshly built "
                            f"weights; expected a finite value")
    cp = out.class_probs
    if cp is not None and (not isinstance(cp, torch.Tensor) or cp.dim() != 2 or cp.shape[1] != K):
        got = tuple(cp.shape) if isinstance(cp, torch.Tensor) else type(cp).__name__
        problems.append(f"{side} returned class_probs of shape {got}; expected (B, {K}) class probabilities")
    return problems


def check_objective_step(exp) -> None:
    """Dry-run both sides of one step of ``exp`` on copies; ``ConfigError`` at ``$.objective`` naming the plugin."""
    comp = exp.config.components["objective"]
    name = f"objective '{comp.type}' (plugin '{comp.entry.plugin}')"
    device = exp.models.device
    n = exp.config.run.batch_size
    np_state, py_state = np.random.get_state(), random.getstate()
    problems: list[str] = []
    try:
        with torch.random.fork_rng(devices=[device] if device.type == "cuda" else []):
            objective, models = copy.deepcopy((exp.objective, exp.models))
            real = exp.dataset.batch(torch.arange(n) % len(exp.dataset), device)
            with torch.enable_grad():
                for side in ("discriminator_step", "generator_step"):
                    try:
                        out = getattr(objective, side)(models, real, 0)
                    except Exception as exc:  # noqa: BLE001 - reported with the plugin's name, without a traceback
                        problems.append(f"{side} raised {type(exc).__name__}: {exc}")
                        continue
                    problems += _check_output(out, objective, side, models.spec.num_conditions)
            del objective, models
    finally:
        np.random.set_state(np_state)
        random.setstate(py_state)
    if problems:
        raise ConfigError([("$.objective", f"{name} failed its dry step before step 1: {p}") for p in problems],
                          source=exp.config.source)
