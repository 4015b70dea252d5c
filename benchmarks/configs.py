"""The experiments the benchmarks run, as raw config dicts (what a TOML file would hold).

* ``mlp``: the small 2-D MLP config. CGPGAN's four 2-D Gaussian clusters (``core.gaussian_clusters``, 20000 points; K
  clusters on a circle for the K sweep), ``core.mlp_g`` / ``core.mlp_d`` / ``core.mlp_q`` with 3 hidden layers
  of 64 (leaky ReLU), latent 16, batch 64: the CPU scale of the repo's 2-D preset (``cgpgan.cgpgan_clusters``).
  Small networks make the loop's own cost most visible.
* ``mlp512``: the same data with the CGPGAN paper's 2-D networks (4 hidden layers of 512, latent 256, batch 16;
  about 20 ms per step on one CPU core): the 2-D MLP config the overhead target is judged on.
* ``dcgan``: the 28x28 DCGAN config. Fashion-MNIST (``core.fashion_mnist``, 60000 images), ``core.dcgan_g`` /
  ``core.dcgan_d`` / ``core.dcgan_q`` with 16 channels (batch norm in G and D, the DCGAN default), latent 64,
  batch 32: the CPU scale of the cagan Fashion presets.

Every objective runs with its own defaults, with two exceptions that make the step do the method's full work:
Elastic-InfoGAN's learned prior starts at epoch 0 (default 30, which a short run never reaches), and objectives
that require a classifier get the config's classifier network. UAC-GAN's statistics network is its default
(``uacgan.projection`` on the discriminator's trunk features).

The ``[run]`` table is what a user would use for a timed run: ``log_every = 50`` (the default), no sample grids or
checkpoints during the run (``sample_every = 0``, ``checkpoint_every = 0``), no progress bar, no generator EMA
(the default), fp32, ``threads`` torch threads, deterministic algorithms on (the default).
"""

from __future__ import annotations

import math
from typing import Any

#: the plugins that ship with condgan; "every built-in objective" is every objective these register
BUILTIN_PLUGINS = ("core", "amgan", "cagan", "cgpgan", "uacgan")

CONFIGS = {
    "mlp512": "2-D MLP, the CGPGAN paper's networks: 2-D Gaussian clusters, core.mlp_g/mlp_d 4x512 leaky ReLU, "
              "latent 256, batch 16",
    "mlp": "small 2-D MLP (stress test of the loop's own cost): 2-D Gaussian clusters, core.mlp_g/mlp_d 3x64 leaky "
           "ReLU, latent 16, batch 64",
    "dcgan": "28x28 DCGAN: Fashion-MNIST, core.dcgan_g/dcgan_d 16 channels, batch norm, latent 64, batch 32",
}
#: batch size of each config
BATCH_SIZE = {"mlp512": 16, "mlp": 64, "dcgan": 32}


def builtin_objectives(components) -> list[str]:
    """Names of the objectives registered by the built-in plugins, sorted. Without ``core.composite``: its math is
    the terms a config lists (tests/test_composite.py compares its presets with the objectives they rewrite)."""
    return [n for n in components["objectives"].names()
            if n.split(".", 1)[0] in BUILTIN_PLUGINS and n != "core.composite"]


def circle_centers(k: int, radius: float = 2.0) -> list[list[float]]:
    """``k`` cluster centres evenly spaced on a circle (the K sweep's 2-D data)."""
    return [[radius * math.cos(2 * math.pi * i / k), radius * math.sin(2 * math.pi * i / k)] for i in range(k)]


def run_table(*, steps: int, batch_size: int, threads: int, device: str, eval_every: int = 0) -> dict[str, Any]:
    return {"name": "bench", "seed": 0, "steps": steps, "batch_size": batch_size, "log_every": 50,
            "sample_every": 0, "checkpoint_every": 0, "progress": False, "threads": threads, "device": device,
            "eval_every": eval_every}


def experiment_config(config: str, objective: str, *, steps: int = 100, batch_size: int | None = None, threads: int = 1,
                      device: str = "cpu", num_classes: int | None = None, eval_every: int = 0,
                      data_root: str = "") -> dict[str, Any]:
    """The raw config of ``objective`` on benchmark config ``config`` ("mlp" or "dcgan").

    ``num_classes`` (mlp only) replaces the four default clusters by that many clusters on a circle;
    ``batch_size`` replaces the config's; ``data_root`` (dcgan only) is Fashion-MNIST's ``data.root`` (default: the
    Debian package's files).
    """
    batch_size = batch_size or BATCH_SIZE[config]
    if config in ("mlp", "mlp512"):
        data: dict[str, Any] = {"type": "core.gaussian_clusters"}
        if num_classes is not None:
            data.update(centers=circle_centers(num_classes), probs=[1.0 / num_classes] * num_classes)
        mlp = {"hidden": 64, "layers": 3} if config == "mlp" else {"hidden": 512, "layers": 4}
        nets = {"generator": {"type": "core.mlp_g", **mlp}, "discriminator": {"type": "core.mlp_d", **mlp}}
        classifier = {"type": "core.mlp_q", **mlp}
        latent = 16 if config == "mlp" else 256
    elif config == "dcgan":
        if num_classes is not None:
            raise ValueError("the dcgan config has Fashion-MNIST's 10 classes; sweep K on the mlp config")
        data = {"type": "core.fashion_mnist", **({"root": data_root} if data_root else {})}
        nets = {"generator": {"type": "core.dcgan_g", "channels": 16},
                "discriminator": {"type": "core.dcgan_d", "channels": 16}}
        classifier = {"type": "core.dcgan_q", "channels": 16}
        latent = 64
    else:
        raise ValueError(f"unknown benchmark config {config!r}; choose one of {sorted(CONFIGS)}")
    raw: dict[str, Any] = {
        "run": run_table(steps=steps, batch_size=batch_size, threads=threads, device=device, eval_every=eval_every),
        "data": data,
        "latent": {"type": "core.gaussian", "dim": latent},
        "objective": {"type": objective},
        **nets,
    }
    if objective.startswith("cgpgan.") and objective != "cgpgan.vanilla":
        raw["classifier"] = classifier
    if objective == "cgpgan.elastic_infogan":
        raw["prior"] = {"type": "cgpgan.gumbel", "start_epoch": 0}
    return raw
