"""Dynamic labeling in the core's pictures and metrics: AM-GAN's generator gets no class (G(z, 0)), so a sample's
class is the argmax of the current D (AM-GAN Sec. 5.1). ``Objective.classes_of_samples`` tells the core so; the
sample grid and the evaluation inputs then sort samples by that class instead of asking G for every condition."""

from __future__ import annotations

import torch

from condgan.build import build_experiment
from condgan.config import parse_config
from condgan.evaluation.evaluate import build_inputs
from condgan.plugin_manager import get_components
from condgan.sampling import generate_by_assigned_class, sample_figure
from condgan.testing.contracts import tiny_config


def _exp(labeling: str):
    cfg = tiny_config("amgan.am_gan", objective_params={"labeling": labeling})
    return build_experiment(parse_config(cfg, get_components()), get_components())


def test_dynamic_labeling_sorts_samples_by_the_discriminators_class():
    exp = _exp("dynamic")
    m, obj = exp.models, exp.objective
    x, flat = generate_by_assigned_class(exp, m.generator, 5, torch.Generator().manual_seed(0))
    # every kept sample is in the class the current D gives it, and no class holds more than asked
    assert torch.equal(obj.assign_classes(m, x.to(m.device)).cpu(), flat)
    assert torch.bincount(flat, minlength=m.spec.num_conditions).max() <= 5
    # and the samples are G(z, 0): the generator's condition input is all zeros under dynamic labeling
    z = m.latent.sample(3, m.device)
    out = obj.classes_of_samples(m, z, m.generator)
    m.generator.eval()
    assert torch.allclose(out[0], m.generator(z, torch.zeros(3, m.spec.num_conditions)))


def test_predefined_labeling_keeps_the_condition_as_the_class():
    exp = _exp("predefined")
    assert exp.objective.classes_of_samples(exp.models, exp.models.latent.sample(3, "cpu"), exp.models.generator) is None
    noise = torch.Generator().manual_seed(0)
    assert generate_by_assigned_class(exp, exp.models.generator, 5, noise) is None
    # and the caller's noise is where it was: the regular grid draws the same z as for any other objective
    assert torch.equal(noise.get_state(), torch.Generator().manual_seed(0).get_state())


def test_grid_and_evaluation_inputs_use_the_assigned_classes(tmp_path):
    exp = _exp("dynamic")
    path = sample_figure(exp, exp.models.generator, tmp_path / "grid.png", torch.Generator().manual_seed(0))
    assert path.exists()
    inputs, facts = build_inputs(exp, exp.models.generator, exp.dataset, 40, seed=0)
    assert "assigned by the objective" in facts["generated"]["label_sampling"]
    x = inputs.fake_samples.view(-1, *exp.dataset.data_shape)
    assert torch.equal(exp.objective.assign_classes(exp.models, x), inputs.fake_labels)
