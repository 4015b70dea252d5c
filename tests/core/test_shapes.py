"""Samples of the wrong shape fail before training, naming the expected and the actual shape and the option that fixes
it: networks built for 28x28 grey images given 32x32 colour data, and a run resumed or evaluated after its data
files changed shape. The check itself changes no weight and no random number."""

import pytest
import torch

from condgan.build import build_experiment
from condgan.cli import main
from condgan.config import parse_config
from condgan.errors import ConfigError

PLUGIN = '''
import math
from pathlib import Path

import attrs
import torch
from torch import nn

from condgan.conditions import ConditionSpec
from condgan.data import Dataset
from condgan.hookspecs import hookimpl
from condgan.interfaces import Discriminator, Generator


@attrs.frozen
class TensorParams:
    root: str = ""


def tensor_file(params, ctx=None):
    """Images and labels from ROOT/data.pt (a user's own tensors)."""
    blob = torch.load(Path(params.root) / "data.pt", weights_only=True)
    return Dataset("tensors", blob["x"], blob["y"], ConditionSpec.single(2))


class Fixed28G(Generator):
    """A generator hard-wired for 1x28x28 images."""

    def __init__(self, params, ctx):
        super().__init__()
        self.fc = nn.Linear(ctx.latent_dim + ctx.num_conditions, 28 * 28)

    def forward(self, z, c):
        return torch.tanh(self.fc(torch.cat([z, c], 1))).view(-1, 1, 28, 28)


class Fixed28D(Discriminator):
    """A discriminator hard-wired for 1x28x28 images."""

    def __init__(self, params, ctx):
        super().__init__()
        self.trunk = nn.Sequential(nn.Flatten(), nn.Linear(28 * 28, 16), nn.ReLU())
        self.heads = self.build_heads(16, ctx.heads)

    def forward(self, x):
        return self.apply_heads(self.heads, self.trunk(x))


@hookimpl
def register_datasets(register):
    register("tensor_file", tensor_file, params=TensorParams, description="tensors from ROOT/data.pt")


@hookimpl
def register_generators(register):
    register("fixed28_g", Fixed28G, description="1x28x28 only")


@hookimpl
def register_discriminators(register):
    register("fixed28_d", Fixed28D, description="1x28x28 only")
'''


@pytest.fixture
def comps(tmp_path, monkeypatch):
    """core + the test plugin 't', also as the default registry (load_run and the CLI read that one)."""
    from condgan import plugin_manager
    from condgan.plugins import DEFAULT_PLUGINS

    (tmp_path / "shape_plugin.py").write_text(PLUGIN)
    monkeypatch.syspath_prepend(str(tmp_path))
    c = plugin_manager.PluginManager(load_entry_points=False,
                                     builtins={"core": DEFAULT_PLUGINS["core"], "t": "shape_plugin"}).components()
    monkeypatch.setattr(plugin_manager, "get_components", lambda: c)
    return c


def write_tensors(root, size, channels=3, n=32):
    root.mkdir(parents=True, exist_ok=True)
    g = torch.Generator().manual_seed(0)
    torch.save({"x": torch.randint(0, 256, (n, channels, size, size), dtype=torch.uint8, generator=g),
                "y": torch.arange(n) % 2}, root / "data.pt")


def test_tensor_dataset_32px_colour_with_nets_for_28px_grey(tmp_path, comps):
    write_tensors(tmp_path / "d", 32)
    raw = {"data": {"type": "t.tensor_file", "root": str(tmp_path / "d")}, "objective": {"type": "core.cgan"},
           "generator": {"type": "t.fixed28_g"}, "discriminator": {"type": "t.fixed28_d"}}
    with pytest.raises(ConfigError) as info:
        build_experiment(parse_config(raw, comps, source="c.toml"), comps)
    (gpath, gmsg), (dpath, dmsg) = info.value.problems
    assert gpath == "$.generator" and gmsg == (
        "generator 't.fixed28_g' makes samples of shape (1, 28, 28), but dataset 't.tensor_file' holds samples of "
        "shape (3, 32, 32). Make the dataset return samples of shape (1, 28, 28), or use a generator built for "
        "(3, 32, 32) (core.dcgan_g and core.mlp_g follow the data's shape).")
    assert dpath == "$.discriminator"
    assert dmsg.startswith("discriminator 't.fixed28_d' cannot read dataset 't.tensor_file''s samples of shape "
                           "(3, 32, 32): RuntimeError: mat1 and mat2 shapes cannot be multiplied (2x3072 and 784x16). ")
    assert dmsg.endswith("or make the data match the discriminator (e.g. data.size, data.channels).")


def test_image_folder_names_the_options_that_fix_it(tmp_path, comps):
    from PIL import Image

    for cls in ("a", "b"):
        (tmp_path / "imgs" / cls).mkdir(parents=True)
        for i in range(2):
            Image.new("RGB", (32, 32), (40 * i, 100, 200)).save(tmp_path / "imgs" / cls / f"{i}.png")
    raw = {"data": {"type": "core.image_folder", "root": str(tmp_path / "imgs"), "size": 32, "channels": 3},
           "objective": {"type": "core.cgan"}, "generator": {"type": "t.fixed28_g"},
           "discriminator": {"type": "core.dcgan_d", "channels": 4}}
    with pytest.raises(ConfigError) as info:
        build_experiment(parse_config(raw, comps), comps)
    assert info.value.problems == [("$.generator", (
        "generator 't.fixed28_g' makes samples of shape (1, 28, 28), but dataset 'core.image_folder' holds samples "
        "of shape (3, 32, 32). Set data.size = 28 and data.channels = 1, or use a generator built for (3, 32, 32) "
        "(core.dcgan_g and core.mlp_g follow the data's shape)."))]


RUN = """
[run]
name = "r"
steps = 2
batch_size = 8
sample_every = 0
checkpoint_every = 0
progress = false
threads = 1

[data]
type = "t.tensor_file"
root = "{root}"

[latent]
dim = 4

[objective]
type = "core.cgan"

[generator]
type = "core.dcgan_g"
channels = 4

[discriminator]
type = "core.dcgan_d"
channels = 4
"""


def test_resume_and_evaluate_after_the_data_changed_shape(tmp_path, comps, capsys):
    """The networks follow the data, so the run trains; then the files are replaced with 16x16 images."""
    write_tensors(tmp_path / "d", 8, channels=1)
    cfg = tmp_path / "run.toml"
    cfg.write_text(RUN.format(root=tmp_path / "d"))
    assert main(["train", str(cfg), "--out", str(tmp_path / "runs")]) == 0
    run = tmp_path / "runs" / "r"
    write_tensors(tmp_path / "d", 16, channels=1)
    capsys.readouterr()
    expected = (f"$.data: dataset 't.tensor_file' holds samples of shape (1, 16, 16), but run {run} was trained on "
                f"samples of shape (1, 8, 8), the shape its networks expect. Make the dataset return samples of shape "
                f"(1, 8, 8), or point the data back at what the run was trained on.\n")
    assert main(["train", "--resume", str(run), "--set", "run.steps=4"]) == 2
    assert capsys.readouterr().err.endswith(expected)
    assert main(["evaluate", str(run), "--samples", "20", "--bootstrap", "0", "--metrics", "fid"]) == 2
    assert capsys.readouterr().err.endswith(expected)
    assert not (run / "eval.json").exists()


@pytest.mark.parametrize("preset", ["core.digits", "uacgan.mog_uac_gan", "cgpgan.cgpgan_clusters"])
def test_the_check_changes_no_weight_and_no_random_number(preset, components, monkeypatch):
    """Built with and without the shape check (BatchNorm, spectral norm, lazy layers): identical state and RNG."""
    import tomllib

    import condgan.build as build

    cfg = parse_config(tomllib.loads(components.get("presets", preset).factory.read_text()), components)

    def built():
        exp = build.build_experiment(cfg, components)
        state = {f"{k}.{n}": t.clone() for k in ("generator", "discriminator", "classifier", "statistics_network",
                                                    "prior", "composer", "latent")
                 if getattr(exp.models, k) is not None for n, t in getattr(exp.models, k).state_dict().items()
                 if not torch.nn.parameter.is_lazy(t)}
        modes = [m.training for m in exp.models.generator.modules()]
        return state, torch.get_rng_state(), modes

    with_check = built()
    monkeypatch.setattr(build, "check_networks_fit_data", lambda *a: [])
    without = built()
    assert with_check[0].keys() == without[0].keys()
    for k, v in with_check[0].items():  # exactly equal; NaN (UAC-GAN's unset MINE average) equals NaN
        w = without[0][k]
        assert torch.equal(v, w) or (v.is_floating_point() and torch.allclose(v, w, rtol=0, atol=0, equal_nan=True)), k
    assert torch.equal(with_check[1], without[1])
    assert with_check[2] == without[2] and all(with_check[2])  # back in training mode

