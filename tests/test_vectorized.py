"""Vectorized seed groups (condgan.vectorized): a seed trained in a vectorized group follows its single-process run
(same draws: each seed's generator is seeded as its single run's global RNG; float tolerance after 100 steps, from
batched kernels); its run directory and checkpoints have a single run's layout; a vectorized group resumes bit for
bit; what cannot be vectorized is refused before anything is written, naming the component, and the group falls
back to worker processes.

Checked by breaking the code on purpose (docs/performance.md): drawing seed s's numbers with seed s+1's generator,
or saving seed s+1's slice as seed s, fails test_seed_follows_its_single_run."""

import csv
import sys
from pathlib import Path
import json

import pytest
import torch

from condgan.checkpoint import list_checkpoints, load_file
from condgan.cli import main
from condgan.experiment import preset_raw, run_experiment
from condgan.groups import train_group
from condgan.vectorized import VectorizeRefused, train_vectorized

QUICK = dict(log_every=10, sample_every=0, checkpoint_every=0, tensorboard=False, threads=1, progress=False)


def raw_of(preset, steps, **run):
    raw = preset_raw(preset)
    raw["run"].update(QUICK, steps=steps, **run)
    if raw["data"]["type"] == "core.mog_1d":
        raw["data"]["n_per_class"] = 2000  # a smaller data set: the same networks and objective, a faster build
    return raw


def with_seed(raw, seed):
    one = json.loads(json.dumps(raw))
    one["run"]["seed"] = seed
    return one


def rows(run_dir):
    with open(run_dir / "metrics.csv", newline="") as f:
        return list(csv.DictReader(f))


def newest(run_dir):
    return load_file(list_checkpoints(run_dir / "checkpoints")[-1])


def structure(tree):
    """Keys, shapes and dtypes of a checkpoint, without the values."""
    if isinstance(tree, dict):
        return {k: structure(v) for k, v in tree.items()}
    if isinstance(tree, (list, tuple)):
        return [structure(v) for v in tree]
    if isinstance(tree, torch.Tensor):
        return (tuple(tree.shape), tree.dtype)
    return type(tree).__name__


@pytest.mark.parametrize("preset", ["uacgan.mog_tac_gan", "uacgan.mog_uac_gan", "core.digits_mlp"])
def test_seed_follows_its_single_run(tmp_path, preset, one_thread):
    """Seed 1 of a vectorized group of seeds 0-1 against seed 1 trained alone: metrics within float tolerance at
    every logged step of 100, final weights, optimizer and EMA state within 1e-4, the same RNG state, and a
    checkpoint of the same structure."""
    raw = raw_of(preset, 100)
    out = train_group(raw, [0, 1], tmp_path / "group", vectorize=True, progress=False)
    assert [o["seed"] for o in out] == [0, 1] and all(o["step"] == 100 for o in out)
    run_experiment(with_seed(raw, 1), run_dir=tmp_path / "single", log=lambda *a, **k: None)
    vec_dir = tmp_path / "group" / "seed-1"
    a, b = rows(vec_dir), rows(tmp_path / "single")
    assert [r["step"] for r in a] == [r["step"] for r in b] and len(b) == 10
    assert list(a[0]) == list(b[0])  # the same columns, in the same order
    for ra, rb in zip(a, b):
        for k in rb:
            if k not in ("step", "time_s"):
                assert float(ra[k]) == pytest.approx(float(rb[k]), rel=2e-3, abs=2e-5), (ra["step"], k)
    va, sb = newest(vec_dir), newest(tmp_path / "single")
    assert structure(va) == structure(sb)
    assert torch.equal(va["rng"]["torch"], sb["rng"]["torch"])  # the seed drew exactly its single run's numbers
    for part in ("models", "ema"):
        tree_a, tree_b = va[part], sb[part]
        if tree_b is None:
            continue
        flat = tree_b.items() if part == "ema" else ((f"{m}.{k}", v) for m in tree_b for k, v in tree_b[m].items())
        for name, v in flat:
            got = tree_a[name] if part == "ema" else tree_a[name.split(".", 1)[0]][name.split(".", 1)[1]]
            if v.is_floating_point():
                assert torch.allclose(got, v, atol=1e-4, rtol=1e-3), (part, name, (got - v).abs().max())
            else:
                assert torch.equal(got, v), (part, name)
    for opt, st in sb["optimizers"].items():
        for i, s in st["state"].items():
            for k, v in s.items():
                assert torch.allclose(va["optimizers"][opt]["state"][i][k], v, atol=1e-5, rtol=1e-3), (opt, i, k)
    # seed 0's run directory is an ordinary run directory too
    assert (tmp_path / "group" / "seed-0" / "samples.png").exists()
    assert json.loads((tmp_path / "group" / "seed-0" / "config.json").read_text())["run"]["seed"] == 0


def test_vectorized_group_resumes_bit_exactly(tmp_path, one_thread):
    """60 steps in one go against 30 + a resume to 60 (UAC-GAN: MINE's moving average is a stacked buffer):
    identical checkpoints (weights, optimizers, RNG) and metrics."""
    raw = raw_of("uacgan.mog_uac_gan", 60, checkpoint_every=30, keep_checkpoints=10)
    train_group(raw, [3, 4], tmp_path / "full", vectorize=True, progress=False)
    half = json.loads(json.dumps(raw))
    half["run"]["steps"] = 30
    train_group(half, [3, 4], tmp_path / "split", vectorize=True, progress=False)
    out = train_group(raw, [3, 4], tmp_path / "split", vectorize=True, resume=True, progress=False)
    assert [o["step"] for o in out] == [60, 60]
    for s in (3, 4):
        a, b = newest(tmp_path / "full" / f"seed-{s}"), newest(tmp_path / "split" / f"seed-{s}")
        assert a["step"] == b["step"] == 60
        for part in ("models", "optimizers"):
            for name in a[part]:
                sa, sb = a[part][name], b[part][name]
                for k, v in (sa["state"].items() if part == "optimizers" else sa.items()):
                    w = sb["state"][k] if part == "optimizers" else sb[k]
                    if isinstance(v, dict):
                        assert all(torch.equal(v[j], w[j]) for j in v), (part, name, k)
                    else:
                        assert torch.equal(v, w), (part, name, k)
        assert torch.equal(a["rng"]["torch"], b["rng"]["torch"])
        ra, rb = rows(tmp_path / "full" / f"seed-{s}"), rows(tmp_path / "split" / f"seed-{s}")
        strip = lambda rs: [{k: v for k, v in r.items() if k != "time_s"} for r in rs]  # noqa: E731
        assert strip(ra) == strip(rb)


@pytest.mark.parametrize("preset,overrides,component,meaning", [
    ("cgpgan.cgpgan_clusters", {}, "objective 'cgpgan.cgpgan'", "torch.autograd"),
    ("uacgan.mog_uac_gan", {"marginal": "permute"}, "objective 'uacgan.uac_gan'", "draws random numbers itself"),
    ("core.digits", {}, "discriminator 'core.dcgan_d'", "spectral norm"),
    ("core.digits", {}, "generator 'core.dcgan_g'", "batch-norm running statistics"),
])
def test_refused_naming_the_component(tmp_path, preset, overrides, component, meaning):
    raw = raw_of(preset, 2)
    raw["objective"].update(overrides)
    with pytest.raises(VectorizeRefused) as info:
        train_vectorized([with_seed(raw, 0), with_seed(raw, 1)], [0, 1], [tmp_path / "a", tmp_path / "b"])
    assert component in str(info.value) and meaning in str(info.value)
    assert not any(tmp_path.iterdir())  # refused before anything was written


def test_group_falls_back_to_worker_processes(tmp_path, capsys):
    """CGPGAN's gradient penalties cannot be vectorized: the group says so, naming the objective, and trains its
    seeds in worker processes as without --vectorize."""
    raw = raw_of("cgpgan.cgpgan_clusters", 2)
    out = train_group(raw, [0, 1], tmp_path / "g", vectorize=True, workers=1, progress=False)
    assert [o["step"] for o in out] == [2, 2]
    err = capsys.readouterr().err
    assert "--vectorize: cannot vectorize: objective 'cgpgan.cgpgan'" in err and "worker processes" in err
    assert all(newest(tmp_path / "g" / f"seed-{s}")["step"] == 2 for s in (0, 1))


def test_cli_vectorize(tmp_path, capsys):
    rc = main(["train", "--preset", "uacgan.mog_ac_gan", "--seeds", "0-2", "--vectorize", "--out", str(tmp_path),
               *sum((["--set", f"run.{k}={str(v).lower() if isinstance(v, bool) else v}"] for k, v in QUICK.items()), []),
               "--set", "run.steps=20", "--set", "data.n_per_class=2000"])
    assert rc == 0
    assert "vectorize" not in capsys.readouterr().err  # nothing refused
    for s in range(3):
        assert newest(tmp_path / "mog_ac_gan" / f"seed-{s}")["step"] == 20
        assert len(rows(tmp_path / "mog_ac_gan" / f"seed-{s}")) == 2


def test_seed_scaling_section_states_its_numbers():
    """docs/performance.md's section is rendered from the results: the ratios in its text are the table's."""
    root = str(Path(__file__).resolve().parents[1])
    if root not in sys.path:
        sys.path.insert(0, root)
    from benchmarks.seed_scaling import section

    def row(mode, seeds, wall, cpu, loop):
        return {"preset": "p", "mode": mode, "seeds": seeds, "steps": 10, "wall_s": wall, "cpu_s": cpu,
                "loop_s": loop, "load_before": 1.0, "load_after": 1.0}

    r = {"command": "python -m benchmarks.seed_scaling", "pinned": "taskset -c 0", "note": "a note",
         "results": [row("one", 1, 10.0, 8.0, 2.0), row("vectorized", 16, 30.0, 24.0, 3.0),
                     row("processes", 16, 160.0, 128.0, 32.0)]}
    text = "\n".join(section(r))
    assert "| p | 16 | 30.0 | 24.0 | 3.0 | 160.0 | 128.0 | 32.0 | 1.50 |" in text
    assert "loop 1.5x one run's loop" in text and "CPU 3.0x" in text
    assert "not met for the whole command judged by its CPU time" in text and "met for the loop's wall time" in text
    r["results"][1]["cpu_s"] = 16.0
    assert "met for the whole command" in "\n".join(section(r)).replace("not met for the whole", "")


def test_draws_that_change_with_the_step_stay_exact(tmp_path, monkeypatch, one_thread):
    """An objective whose draws depend on the step (an extra draw every third discriminator step, of a size that
    alternates): the side is undone, its plan recorded anew and run again, so the seed still draws exactly its single
    run's numbers."""
    from condgan.plugins.uacgan.objectives import TACGANObjective

    plain = TACGANObjective.discriminator_step

    def discriminator_step(self, m, real, step):
        if step % 3 == 0:
            m.sample_conditions(5 + step % 2)
        return plain(self, m, real, step)

    monkeypatch.setattr(TACGANObjective, "discriminator_step", discriminator_step)
    raw = raw_of("uacgan.mog_tac_gan", 30)
    train_group(raw, [0, 1], tmp_path / "group", vectorize=True, progress=False)
    run_experiment(with_seed(raw, 1), run_dir=tmp_path / "single", log=lambda *a, **k: None)
    va, sb = newest(tmp_path / "group" / "seed-1"), newest(tmp_path / "single")
    assert torch.equal(va["rng"]["torch"], sb["rng"]["torch"])
    for m in sb["models"]:
        for k, v in sb["models"][m].items():
            assert torch.allclose(va["models"][m][k], v, atol=1e-5, rtol=1e-4), (m, k)


def test_objective_state_between_steps_is_refused(tmp_path, monkeypatch):
    """UAC-GAN keeps MINE's moving average on itself when T has no buffer for it: a tensor that would carry one
    seed's value (or a vmap-level tensor) from step to step; refused, naming the attribute."""
    from condgan.interfaces import StatisticsNetwork

    monkeypatch.setattr(StatisticsNetwork, "keep_mine_moving_average", lambda self: None)
    raw = raw_of("uacgan.mog_uac_gan", 2)
    with pytest.raises(VectorizeRefused, match=r"objective 'uacgan.uac_gan' keeps tensors between steps in "
                                               r"attribute\(s\) _log_ma"):
        train_vectorized([with_seed(raw, 0), with_seed(raw, 1)], [0, 1], [tmp_path / "a", tmp_path / "b"])
    assert not any(tmp_path.iterdir())


def test_ctrl_c_stops_a_vectorized_group_with_every_seed_checkpointed(tmp_path, ctrl_c):
    """SIGINT to `condgan train --seeds 0-1 --vectorize`: exit 130, one checkpoint per seed, at the same step."""
    from condgan.testing import write_tiny_config

    cfg = write_tiny_config(tmp_path / "c.toml", run=dict(name="grp", steps=10**6, batch_size=16,
                                                          checkpoint_every=10**6, log_every=1))
    out = tmp_path / "o"
    rc, err = ctrl_c(["train", str(cfg), "--out", str(out), "--seeds", "0-1", "--vectorize"],
                     [out / "grp" / f"seed-{s}" / "metrics.csv" for s in (0, 1)])
    assert rc == 130, err
    assert "interrupted" in err and "cannot vectorize" not in err
    steps = set()
    for s in (0, 1):
        ckpts = list_checkpoints(out / "grp" / f"seed-{s}" / "checkpoints")
        assert len(ckpts) == 1
        steps.add(int(load_file(ckpts[0])["step"]))
    assert len(steps) == 1 and 3 <= steps.pop() < 10**6


def test_harness_arms_train_their_seeds_vectorized(tmp_path, one_thread):
    """run_arms(vectorize=True): each arm's seeds train at once, are evaluated in the pool, match the arm trained
    seed by seed (float tolerance), and are reused on a rerun (nothing retrained); an arm that cannot be vectorized
    (UAC-GAN's permuted marginal draws with randperm) trains in the pool as usual."""
    from condgan.experiments import Arm, run_arms

    def norm(run):
        exp, _ = run.load(use_ema=False)
        return {"arm": run.arm.name, "seed": run.seed, "trained": run.trained,
                "w": [p.detach().clone() for p in exp.models.generator.parameters()]}

    raw = raw_of("uacgan.mog_tac_gan", 20)
    permute = raw_of("uacgan.mog_uac_gan", 4)
    permute["objective"]["marginal"] = "permute"
    arms = [Arm("tac", raw, seeds=[0, 1, 2]), Arm("perm", permute, seeds=[0, 1])]
    out = run_arms(arms, tmp_path / "v", evaluate=norm, vectorize=True)
    runfile = lambda arm, s: json.loads((tmp_path / "v" / f"{arm}_s{s}" / "harness.json").read_text())
    assert [runfile("tac", s).get("vectorized_with") for s in (0, 1, 2)] == [3, 3, 3]
    assert [runfile("perm", s).get("vectorized_with") for s in (0, 1)] == [None, None]
    single = run_arms([Arm("tac", raw, seeds=[0, 1, 2])], tmp_path / "s", evaluate=norm)
    for v, s in zip(out[:3], single):
        assert v["seed"] == s["seed"] and all(torch.allclose(a, b, atol=1e-5) for a, b in zip(v["w"], s["w"]))
    assert not all(torch.equal(a, b) for a, b in zip(out[0]["w"], out[1]["w"]))  # seeds differ
    again = run_arms(arms, tmp_path / "v", evaluate=norm, vectorize=True)
    assert not any(r["trained"] for r in again)
