"""AM-GAN Sec. 5.1, predefined vs dynamic labeling (plugins/amgan/labeling.py), on a recording stand-in for
:class:`condgan.interfaces.Models` (no networks): what G receives as its condition, which target each generated
sample gets, and that ``grad`` reaches ``Models.generate``. Plain examples, milliseconds each (the mutation run,
issue 15, runs them once per mutant)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import torch

from condgan.interfaces import Batch
from condgan.plugins.amgan import labeling as lab

K = 3


class Recorder:
    """The parts of ``Models`` that labeling uses: ``spec.num_conditions``, ``device``, ``sample_conditions`` and
    ``generate`` (which records its arguments)."""

    def __init__(self, device="cpu"):
        self.spec = SimpleNamespace(num_conditions=K)
        self.device = torch.device(device)
        self.calls = []

    def sample_conditions(self, n):
        return torch.eye(K)[torch.arange(n) % K].to(self.device)

    def generate(self, n, *, c=None, grad=False):
        self.calls.append(dict(n=n, c=c, grad=grad))
        return Batch(x=torch.zeros(n, 2), c=c)


def test_sec5_1_predefined_labeling_gives_g_prior_conditions():
    """Predefined labeling (AM-GAN Sec. 5.1): G(z, u(y)) with y drawn from the prior."""
    m = Recorder()
    assert torch.equal(lab.generator_conditions(m, 4, "predefined"), m.sample_conditions(4))


def test_sec5_1_dynamic_labeling_gives_g_zeros_on_its_device():
    """Dynamic labeling (AM-GAN Sec. 5.1): G(z, 0), an all-zero (n, K) condition on the models' device (the meta
    device stands in for a GPU)."""
    c = lab.generator_conditions(Recorder(), 5, "dynamic")
    assert torch.equal(c, torch.zeros(5, K))
    assert lab.generator_conditions(Recorder("meta"), 5, "dynamic").device.type == "meta"


@pytest.mark.parametrize("labeling", ["dynamic", "predefined"])
@pytest.mark.parametrize("grad", [False, True])
def test_sec5_1_generate_passes_n_conditions_and_grad(labeling, grad):
    """``generate`` asks Models.generate for n samples with the labeling's condition and the caller's ``grad``."""
    m = Recorder()
    out = lab.generate(m, 4, labeling, grad=grad)
    (call,) = m.calls
    assert call["n"] == 4 and call["grad"] is grad
    want = m.sample_conditions(4) if labeling == "predefined" else torch.zeros(4, K)
    assert torch.equal(call["c"], want) and torch.equal(out.c, want)
    m.calls.clear()
    lab.generate(m, 2, labeling)
    assert m.calls[0]["grad"] is False                       # the discriminator side records no graph by default


def test_sec5_1_targets_predefined_is_the_condition_in_the_logits_dtype():
    """Predefined: the target u(y) is the condition G was given, cast to the logits' dtype."""
    fake = Batch(x=torch.zeros(2, 2), c=torch.tensor([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]))
    logits = torch.tensor([[5.0, 0.0, 0.0], [0.0, 0.0, 5.0]], dtype=torch.float64)
    t = lab.targets("predefined", fake, logits)
    assert t.dtype == torch.float64
    assert torch.equal(t, fake.c.double())


def test_sec5_1_targets_dynamic_is_argmax_or_sharpened_softmax_of_the_logits():
    """Dynamic: one-hot(argmax_k l_k) of the current logits (not the condition), or softmax(s · l) with s > 0."""
    fake = Batch(x=torch.zeros(2, 2), c=torch.zeros(2, K))
    logits = torch.tensor([[0.5, 2.0, -1.0], [3.0, 0.0, 1.0]], dtype=torch.float64)
    assert torch.equal(lab.targets("dynamic", fake, logits), torch.tensor([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]], dtype=torch.float64))
    torch.testing.assert_close(lab.targets("dynamic", fake, logits, 0.5), torch.softmax(0.5 * logits, -1))
    torch.testing.assert_close(lab.targets("dynamic", fake, logits, sharpness=2.0), torch.softmax(2.0 * logits, -1))
