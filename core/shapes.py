"""Checks that the data's sample shape is the one the networks work with, made before training or evaluation starts.

Two places where the shapes can disagree:

* building an experiment (:func:`check_networks_fit_data`): the generator must make samples of the data's shape and
  the discriminator (and classifier) must read the data's samples. The built-in networks follow the data's shape;
  a plugin network built for a fixed size, or data stored channels-last, fails here instead of at step 1.
* resuming, sampling or evaluating a run (:func:`check_same_data_shape`): its checkpoint holds networks for the shape
  in its manifest; data that now loads at another shape (an image folder re-read at another size, other files
  under ``data.root``) is refused instead of failing inside ``load_state_dict`` or, worse, being compared after a
  silent resize.

Each message names the expected and the actual shape and the option that fixes it.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

import attrs
import torch
from torch import nn
from torch.nn.parameter import is_lazy

from .errors import ConfigError


def _shape(s) -> str:
    return "(" + ", ".join(map(str, s)) + ")"


def shape_fix(params: Any, want: tuple[int, ...], have: tuple[int, ...]) -> str:
    """The data option that turns samples of shape ``have`` into ``want``, or what to change when there is none."""
    fields = attrs.fields_dict(type(params)) if params is not None and attrs.has(type(params)) else {}
    sets = []
    if len(want) == 3 and len(have) == 3:
        if "size" in fields and want[1] == want[2] and tuple(want[1:]) != tuple(have[1:]):
            sets.append(f"data.size = {want[1]}")
        if "channels" in fields and want[0] != have[0]:
            sets.append(f"data.channels = {want[0]}")
    fix = f"Set {' and '.join(sets)}" if sets else f"Make the dataset return samples of shape {_shape(want)}"
    return fix + (" (" + _channels_last_hint(have).strip().rstrip(".") + ")" if _channels_last_hint(have) else "")


def check_same_data_shape(expected: tuple[int, ...], dataset, data_type: str, trained: str, params: Any = None) -> None:
    """``ConfigError`` at ``$.data`` when ``dataset`` holds samples of another shape than ``expected``.

    ``trained`` completes the sentence "... but {trained} samples of shape ...", e.g. ``"run runs/x was trained on"``.
    """
    have, want = tuple(dataset.data_shape), tuple(expected)
    if have == want:
        return
    raise ConfigError([("$.data", f"dataset '{data_type}' holds samples of shape {_shape(have)}, but {trained} "
                                  f"samples of shape {_shape(want)}, the shape its networks expect. "
                                  f"{shape_fix(params, want, have)}, or point the data back at what the run was "
                                  f"trained on.")])


@contextmanager
def _eval_mode(modules: list[nn.Module]) -> Iterator[None]:
    """Eval mode (no BatchNorm statistics or spectral-norm iterations are updated), restored module by module."""
    flags = [(m, m.training) for mod in modules for m in mod.modules()]
    for mod in modules:
        mod.eval()
    try:
        yield
    finally:
        for m, was in flags:
            m.training = was


def _has_lazy(module: nn.Module) -> bool:
    return any(is_lazy(p) for p in module.parameters()) or any(is_lazy(b) for b in module.buffers())


def check_networks_fit_data(nets: dict[str, nn.Module | None], latent, spec, dataset, cfg,
                            device: torch.device, heads: dict[str, int] | None = None) -> list[tuple[str, str]]:
    """Problems ``($.table, message)``: the generator's samples must have the data's shape, and the discriminator and
    classifier must read two of the data's samples. ``nets``: table name -> built network (or None).

    One forward pass of two samples in eval mode, without gradients, with the global RNG state restored after: it
    changes no weight, statistic or random number. Networks with lazy (not yet initialised) parameters are skipped,
    since a pass would initialise them. The networks are moved to ``device``. With ``heads`` (the objective's, name
    -> width) the discriminator's output must be a ``DiscriminatorOutput`` holding each of them: ``adv`` of shape
    ``(B,)``, the others ``(B, width)``.
    """
    comps = cfg.components
    data_type, params = comps["data"].type, comps["data"].params
    have = tuple(dataset.data_shape)
    n = 2
    problems: list[tuple[str, str]] = []
    nets = {k: v.to(device) for k, v in nets.items() if v is not None and not _has_lazy(v)}
    with torch.no_grad(), torch.random.fork_rng(devices=[]), _eval_mode(list(nets.values())):
        if "generator" in nets:
            z = latent.sample(n, torch.device("cpu"), generator=torch.Generator().manual_seed(0)).to(device)
            c = spec.encode(torch.zeros((n, len(spec.groups)), dtype=torch.long)).to(device)
            try:
                made = tuple(nets["generator"](z, c).shape[1:])
            except Exception as exc:  # noqa: BLE001 - reported with the shapes, as a config problem
                problems.append(("$.generator", f"generator '{comps['generator'].type}' failed to make samples for "
                                                f"data of shape {_shape(have)}: {type(exc).__name__}: {exc}"))
            else:
                if made != have:
                    problems.append(("$.generator", f"generator '{comps['generator'].type}' makes samples of shape "
                                                    f"{_shape(made)}, but dataset '{data_type}' holds samples of shape "
                                                    f"{_shape(have)}. {shape_fix(params, made, have)}, or use a "
                                                    f"generator built for {_shape(have)} (core.dcgan_g and core.mlp_g "
                                                    f"follow the data's shape)."))
        reader = [k for k in ("discriminator", "classifier") if k in nets]
        if reader:
            x = dataset.batch(torch.arange(n) % len(dataset), device).x
            for table in reader:
                try:
                    out = nets[table](x)
                    if table == "discriminator" and heads is not None:
                        problems += check_heads(out, heads, n, comps[table])
                except Exception as exc:  # noqa: BLE001
                    problems.append((f"$.{table}", f"{table} '{comps[table].type}' cannot read dataset '{data_type}''s "
                                                   f"samples of shape {_shape(have)}: {type(exc).__name__}: {exc}. "
                                                   f"Use a {table} built for {_shape(have)} (the core.dcgan_* and "
                                                   f"core.mlp_* networks follow the data's shape), or make the data "
                                                   f"match the {table} (e.g. data.size, data.channels)."
                                                   + _channels_last_hint(have)))
    return problems


def check_heads(out: Any, heads: dict[str, int], n: int, comp) -> list[tuple[str, str]]:
    """Problems with a discriminator's output on ``n`` samples: a ``DiscriminatorOutput`` with every head the
    objective reads, ``adv`` ``(n,)`` and the others ``(n, width)`` (the rule of ``condgan.testing.check_network``)."""
    from .interfaces import DiscriminatorOutput

    name = f"discriminator '{comp.type}' (plugin '{comp.entry.plugin}')"
    if not isinstance(out, DiscriminatorOutput):
        return [("$.discriminator", f"{name} returned {type(out).__qualname__}; expected a "
                                    f"condgan.interfaces.DiscriminatorOutput with the heads {sorted(heads)}")]
    problems = []
    for head, width in heads.items():
        v = getattr(out, head, None)
        want = (n,) if head == "adv" else (n, width)
        if v is None:
            problems.append(("$.discriminator", f"{name} returned no '{head}' head; the objective reads it and "
                                                f"expects shape {_shape(want)} for {n} samples"))
        elif not isinstance(v, torch.Tensor) or tuple(v.shape) != want:
            got = _shape(v.shape) if isinstance(v, torch.Tensor) else type(v).__name__
            problems.append(("$.discriminator", f"{name} returned head '{head}' of shape {got} for {n} samples; "
                                                f"expected {_shape(want)}"))
    return problems


def discriminator_feature_dim(D: nn.Module, data_shape: tuple[int, ...], device: torch.device) -> int | None:
    """Width of ``D``'s trunk features (``DiscriminatorOutput.features``) on one zero sample, for statistics
    networks that share D's trunk (``BuildContext.feature_dim``); None when D returns none. Eval mode and no
    gradients, like the checks above: no weight, statistic or random number changes."""
    with torch.no_grad(), _eval_mode([D]):
        out = D.to(device)(torch.zeros(1, *data_shape, device=device))
    feats = getattr(out, "features", None)
    return None if feats is None else int(feats.flatten(1).shape[1])


def _channels_last_hint(have: tuple[int, ...]) -> str:
    if len(have) == 3 and have[-1] in (1, 3, 4) and have[0] not in (1, 3, 4):
        return " The data looks channels-last, (H, W, C); condgan images are (C, H, W): x.permute(0, 3, 1, 2)."
    return ""
