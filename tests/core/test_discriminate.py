"""One discriminator-step path (issue 17): every objective starts its discriminator step through
Models.discriminate, whose ``conditions`` hook lets an objective set G's condition input (AM-GAN's dynamic
labeling, InfoGAN's learned prior) without writing the start out by hand."""

from __future__ import annotations

import inspect

import pytest
import torch

import condgan
from condgan.testing import tiny_config


def _objective_classes():
    """condgan's own objective classes (core and the built-in plugins), one id each."""
    seen = {}
    for name in condgan.list_components("objectives"):
        cls = condgan.get_component("objectives", name).factory
        if cls.__module__.startswith("condgan."):
            seen.setdefault(cls, name)
    return sorted(seen.items(), key=lambda kv: kv[1])


@pytest.mark.parametrize("cls,name", _objective_classes(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_discriminator_step_starts_with_models_discriminate(cls, name):
    """The method that runs (the class's own or inherited) calls m.discriminate or a helper of the class that
    does, and never the composer's discriminate directly."""
    src = inspect.getsource(cls.discriminator_step)
    helpers = [getattr(cls, n) for n in dir(cls) if n.startswith("_discriminate")]
    text = src + "".join(inspect.getsource(h) for h in helpers)
    assert "m.discriminate(" in text, f"{name}: discriminator_step does not go through Models.discriminate"
    assert "composer.discriminate(" not in src, f"{name}: discriminator_step calls the composer by hand"


def test_the_template_plugin_starts_its_step_the_same_way():
    from pathlib import Path

    src = (Path(__file__).resolve().parents[2] / "docs/examples/plugin-template/condgan_relativistic/objective.py")
    text = src.read_text()
    assert "m.discriminate(" in text and "composer.discriminate(" not in text


def test_conditions_hook_sets_the_fakes_condition_before_the_latent_draw(components):
    """Models.discriminate(conditions=f): the fakes get f(n) as G's input, drawn before z (the order the old
    hand-written starts used, so seeded runs keep their numbers)."""
    from condgan.build import build_experiment
    from condgan.config import parse_config

    exp = build_experiment(parse_config(tiny_config("core.cgan", batch_size=8), components), components,
                           device=torch.device("cpu"))
    m, real = exp.models, exp.dataset.batch(torch.arange(8))
    order = []

    def cond(n):
        order.append(("c", n))
        return torch.zeros(n, m.spec.num_conditions)

    sample = m.latent.sample
    m.latent.sample = lambda n, *a, **k: (order.append(("z", n)), sample(n, *a, **k))[1]
    d = m.discriminate(real, 0, conditions=cond)
    assert order == [("c", 8), ("z", 8)]
    assert torch.equal(d.fake.c, torch.zeros(8, m.spec.num_conditions)) and len(d.real) == 8
