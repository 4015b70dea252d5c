r"""Vectorized seed groups: the S seeds of a group trained in one process, one step of the objective for all seeds
at once (``condgan train CONFIG --seeds 0-15 --vectorize``; ``train_group(..., vectorize=True)``).

At the papers' small benchmarks (UAC-GAN's 1-D MoG, CGPGAN's 2-D clusters, MLPs on 8x8 digits) a step is almost
all per-operator overhead; S seeds side by side in one set of operators cost little more than one.

How a step runs (the objective's code does not change):

* **State.** Each seed's experiment is built as its single run builds it (:func:`condgan.build.build_experiment`
  with ``run.seed = s``: same initial weights). The stateful components (generator, discriminator, classifier,
  statistics network, prior, and composer/latent when they hold tensors) of every seed are stacked into leaf tensors
  of shape ``(S, ...)``; seed 0's modules serve as the template.
* **One step for all seeds.** A side of the step (``objective.discriminator_step`` / ``generator_step``) runs inside
  ``torch.func.vmap`` over a function that swaps each seed's slices into the template with
  ``torch.func.functional_call``; the losses come back with shape ``(S,)``. The loop sums them per optimizer as
  :func:`condgan.train.train` does, sums over seeds and calls ``.backward()`` once per optimizer: seeds are
  independent, so each seed's slice receives exactly the gradient of its own loss. The optimizers hold the stacked
  tensors; Adam, AdamW, SGD and RMSprop act element-wise, so this is S independent optimizers. (A clip by the global
  gradient norm would mix seeds; condgan has none, and an objective that computes one inside its step is refused
  by the dry run below.) Buffers that a step updates in place (MINE's moving average kept in T) are stacked too and
  updated per seed; the prior's update runs vmapped over the seeds' class probabilities; the generator EMA is
  an element-wise lerp of the stacked weights.
* **Random numbers.** In a single run the global torch RNG, seeded with ``run.seed``, draws every latent and
  condition (``Models.sample_latent`` / ``sample_conditions``). Here every seed owns a ``torch.Generator`` seeded
  the same way, so seed s draws exactly the numbers its single run draws. Draws cannot use per-seed generators
  inside ``vmap``, so they are made before each side: a *plan* (the ordered ``(kind, n)`` requests of that side) is
  recorded once by running the side un-vmapped for seed 0 on copies with a scratch generator; before every side the
  loop draws the plan for each seed with its generator, stacks the draws ``(S, n, ...)`` and passes them into the
  vmapped call, where the sampling methods of the models the objective sees return them in order. When a side asks
  for something else than its plan (an objective whose draws depend on the step), the side is undone (buffers and
  generators restored), the plan is recorded anew and the side runs again, so the numbers stay those of the single
  run. Each seed also keeps its own data stream (:class:`condgan.data.BatchStream` with its seed), so its batches
  are its single run's batches. A random draw made any other way inside the step (``torch.randperm`` of a batch,
  a network's dropout) raises inside vmap and is reported by the dry run.
* **Checkpoints, metrics, evaluation.** Every seed keeps its own run directory with ``config.json``,
  ``manifest.json``, ``metrics.csv``, samples and checkpoints in the layout of a single run
  (:func:`condgan.train.checkpoint_state`, :func:`condgan.checkpoint.save_checkpoint`): the stacked state is split
  into each seed's modules and optimizer state dicts before saving, and the RNG state saved is that seed's
  generator. A seed's checkpoint resumes in a single run or in a vectorized group alike; a vectorized group resumes
  bit-exactly (all seeds must be at the same checkpoint step). ``time_s`` in metrics.csv is the group's wall time.

A non-finite loss of any seed stops the whole group (``run.on_nonfinite = "stop"``), naming the seeds; every
seed keeps its last good checkpoint. The group runs with ``run.threads`` torch threads (a seed group sets 1 when the
config leaves it at 0). During-training evaluation (``run.eval_every``) and sample grids run per seed on its own
weights, as in its single run.

What is refused (before anything is written; :class:`VectorizeRefused` names the component, and
:func:`condgan.groups.train_group` then trains the seeds in worker processes): batch-norm running statistics,
spectral norm's power iteration, dropout, forward hooks, uninitialised lazy modules; torchrun, bf16 autocast,
``run.compile``, ``run.sync_batchnorm``, ``run.on_nonfinite = "skip"`` (one seed's skip would be every seed's);
and whatever fails a dry run of both sides under vmap on copies: gradient penalties that call
``torch.autograd.grad`` / ``requires_grad_`` inside the step (torch.func cannot transform them; CGPGAN's R2 and
classifier penalty), random draws outside the models' sampling methods, Python control flow on tensor values,
operators without batching rules, and objectives that keep tensors between steps on themselves instead of in a
module buffer.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Any, Callable, Sequence

import attrs
import torch
from torch import Tensor, nn
from torch.func import functional_call, vmap

from .errors import CondganError, NonFiniteLossError
from .interfaces import Batch, Models

#: the components of Models that can hold tensors, in the order of a single run's checkpoint
KINDS = ("generator", "discriminator", "classifier", "statistics_network", "prior", "composer", "latent")


class VectorizeRefused(CondganError):
    """The group cannot be vectorized; ``reasons`` name the components. Seed groups fall back to worker processes."""

    def __init__(self, reasons: Sequence[str]):
        self.reasons = list(reasons)
        super().__init__("cannot vectorize: " + "; ".join(self.reasons))


class _PlanChanged(Exception):
    """A side asked for other draws than its recorded plan (raised inside vmap, handled by the loop)."""


# -- what cannot be vectorized -------------------------------------------------------------------------------------
def _who(exp, kind: str) -> str:
    comp = exp.config.components.get(kind)
    return f"{kind.replace('_', ' ')} '{comp.type}'" if comp is not None else kind.replace("_", " ")


def static_problems(exp) -> list[str]:
    """Why ``exp`` cannot be vectorized, from its config and modules alone (empty when nothing is known against it)."""
    run, out = exp.config.run, []
    if int(os.environ.get("WORLD_SIZE", "1")) > 1:
        out.append("torchrun (WORLD_SIZE > 1): vectorized groups run in one process")
    if run.precision != "fp32":
        out.append(f"run.precision = '{run.precision}' (autocast is not supported in vectorized groups)")
    if run.compile:
        out.append("run.compile = true (compiled modules are not vectorized)")
    if run.sync_batchnorm:
        out.append("run.sync_batchnorm = true")
    if run.on_nonfinite == "skip":
        out.append("run.on_nonfinite = 'skip' (a step skipped for one seed would be skipped for every seed)")
    if run.channels_last and exp.ctx.is_image:
        out.append("run.channels_last = true")
    m = exp.models
    for kind in KINDS:
        mod = getattr(m, kind, None)
        if not isinstance(mod, nn.Module):
            continue
        for path, sub in mod.named_modules():
            where = f"{_who(exp, kind)} ({type(sub).__name__}{' at ' + path if path else ''})"
            if isinstance(sub, nn.modules.batchnorm._BatchNorm) and sub.track_running_stats:
                out.append(f"{where}: batch-norm running statistics")
            elif isinstance(sub, nn.modules.dropout._DropoutNd) and sub.p > 0:
                out.append(f"{where}: dropout draws random numbers inside the network")
            elif isinstance(sub, nn.modules.lazy.LazyModuleMixin) and sub.has_uninitialized_params():
                out.append(f"{where}: uninitialised lazy parameters")
            elif any("SpectralNorm" in type(h).__name__ for h in sub._forward_pre_hooks.values()) or \
                    any("SpectralNorm" in type(p).__name__ for ps in getattr(sub, "parametrizations", {}).values()
                        for p in ps):
                out.append(f"{where}: spectral norm's power iteration updates its vectors in place")
            elif sub._forward_pre_hooks or sub._forward_hooks:
                out.append(f"{where}: a forward hook")
    return out


def _blame(exc: BaseException, exp, bundle: nn.Module) -> str:
    """The component a dry-run failure comes from, the innermost condgan/plugin frame, and what the error means."""
    owners = {}
    for kind in KINDS:
        mod = getattr(exp.models, kind, None)
        if isinstance(mod, nn.Module):
            for sub in mod.modules():
                owners.setdefault(id(sub), kind)
    component, where = f"objective '{exp.config.components['objective'].type}'", ""
    torch_dir, here = str(Path(torch.__file__).parent), str(Path(__file__))
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        fname = frame.f_code.co_filename
        if fname.startswith(torch_dir) or fname == here:
            continue
        where = f"{'/'.join(Path(fname).parts[-2:])}:{lineno} in {frame.f_code.co_name}"
        me = frame.f_locals.get("self")
        if isinstance(me, nn.Module) and id(me) in owners:
            component = _who(exp, owners[id(me)])
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    low = str(exc).lower()
    if "requires_grad_" in low or "autograd" in low or "backward" in low:
        meaning = "it calls torch.autograd (requires_grad_ / autograd.grad, e.g. a gradient penalty) inside the step"
    elif "random" in low:
        meaning = "it draws random numbers itself, not through Models.sample_latent / sample_conditions"
    elif ".item()" in low or "data-dependent" in low or "control flow" in low:
        meaning = "Python control flow on tensor values"
    elif "batching rule" in low:
        meaning = "an operator without a vmap batching rule"
    else:
        meaning = "it fails under torch.func.vmap"
    return f"{component}: {meaning} ({where + ': ' if where else ''}{type(exc).__name__}: {text[:200]})"


# -- the models an objective sees in a vectorized step ---------------------------------------------------------------
class _Feed:
    """Where the sampling methods of :class:`_FedModels` get their numbers: recorded (plan) or served (draws)."""

    def __init__(self):
        self.recording = False
        self.plan: list[tuple[str, int]] = []
        self.values: list[Tensor] = []
        self.i = 0
        self.scratch: torch.Generator | None = None

    def take(self, kind: str, n: int, models: Models) -> Tensor:
        if self.recording:
            self.plan.append((kind, n))
            return draw_one(models, kind, n, self.scratch)
        if self.i >= len(self.plan) or self.plan[self.i] != (kind, n):
            raise _PlanChanged
        self.i += 1
        return self.values[self.i - 1]


def draw_one(models: Models, kind: str, n: int, generator: torch.Generator | None) -> Tensor:
    """One draw of a single run's ``Models.sample_latent(n)`` / ``sample_conditions(n)``, from ``generator``."""
    if kind == "latent":
        return models.latent.sample(n, models.device, generator=generator)
    return models.prior.sample(n, generator=generator).to(models.device)


@attrs.define(eq=False)
class _FedModels(Models):
    """:class:`Models` whose latents and conditions come from a :class:`_Feed` (pre-drawn per seed)."""

    feed: Any = None

    def sample_latent(self, n: int) -> Tensor:
        return self.feed.take("latent", n, self)

    def sample_conditions(self, n: int) -> Tensor:
        return self.feed.take("conditions", n, self)


class _Bundle(nn.ModuleDict):
    """The stateful components under one root, so that one ``functional_call`` swaps them all; ``forward(fn)`` runs
    ``fn()`` while the swap is in force."""

    def forward(self, fn: Callable[[], Any]) -> Any:
        return fn()


class _ParamList:
    """What :func:`condgan.build.make_optimizer` needs of a module: ``parameters()``, here the stacked leaves."""

    def __init__(self, params: list[Tensor]):
        self.params = params

    def parameters(self):
        return iter(self.params)


# -- the stacked group ----------------------------------------------------------------------------------------------
class SeedStack:
    """The S experiments of a group, their stacked state, optimizers, EMA and per-seed generators."""

    def __init__(self, exps: list, seeds: Sequence[int]):
        from .build import OptimizerParams, make_optimizer
        from .train import GeneratorEMA

        self.exps, self.seeds, self.S = exps, list(seeds), len(exps)
        exp0 = exps[0]
        self.run, self.objective, self.device = exp0.config.run, exp0.objective, exp0.models.device
        self.kinds = [k for k in KINDS if isinstance(getattr(exp0.models, k, None), nn.Module)]
        self.bundles = [_Bundle({k: getattr(e.models, k) for k in self.kinds}) for e in exps]
        self.bundle = self.bundles[0]  # the template: seed 0's modules
        self.param_names = [n for n, _ in self.bundle.named_parameters()]
        # functional_call walks every module to re-tie shared tensors on each call unless told there are none
        self.tied = len(list(self.bundle.named_parameters(remove_duplicate=False))) != len(self.param_names) or \
            len(list(self.bundle.named_buffers(remove_duplicate=False))) != len(list(self.bundle.named_buffers()))
        self.buffer_names = [n for n, _ in self.bundle.named_buffers()]
        self._per_seed = [[dict(b.named_parameters())[n] for n in self.param_names]
                          + [dict(b.named_buffers())[n] for n in self.buffer_names] for b in self.bundles]
        self.params: dict[str, Tensor] = {}
        self.buffers: dict[str, Tensor] = {}
        self.restack()
        self.feed = _Feed()
        m0 = exp0.models
        self.models = _FedModels(**{f.name: getattr(m0, f.name) for f in attrs.fields(Models)}, feed=self.feed)
        names = {id(p): n for n, p in self.bundle.named_parameters()}
        self.optimizers: dict[str, torch.optim.Optimizer] = {}
        self.opt_params: dict[str, list[Tensor]] = {}
        for name, module in m0.trainable().items():
            leaves = [self.params[names[id(p)]] for p in module.parameters() if p.requires_grad]
            self.opt_params[name] = leaves
            self.optimizers[name] = make_optimizer(exp0.config.optimizers.get(name, OptimizerParams()),
                                                   _ParamList(leaves), self.device)
        self.emas = [GeneratorEMA(e.models.generator, self.run.ema_decay) for e in exps] if self.run.ema_decay > 0 else None
        if self.emas is not None:
            g_names = [f"generator.{n}" for n, _ in m0.generator.named_parameters()]
            self.ema_src = [self.params[n] for n in g_names]
            self.ema_params = [self.params[n].detach().clone() for n in g_names]
            b_names = [f"generator.{n}" for n, _ in m0.generator.named_buffers()]
            self.ema_buf_src = [self.buffers[n] for n in b_names]
            self.ema_bufs = [self.buffers[n].clone() for n in b_names]
        kind = self.device.type if self.device.type == "cuda" else "cpu"
        self.generators = [torch.Generator(device=self.device if kind == "cuda" else "cpu").manual_seed(s)
                           for s in self.seeds]
        self.plans: dict[str, list[tuple[str, int]] | None] = {"discriminator_step": None, "generator_step": None}
        self.prior_names = [n for n in self.param_names + self.buffer_names if n.startswith("prior.")]
        # a draw needs a seed's own state only when the sampler's state can differ between seeds
        self._draw_direct = {"latent": self._same_forever("latent"), "conditions": self._same_forever("prior")}
        self._samplers = {"latent": _Bundle({"latent": m0.latent}), "conditions": _Bundle({"prior": m0.prior})}

    def _same_forever(self, kind: str) -> bool:
        """Whether component ``kind`` holds the same state for every seed for the whole run: no parameters, buffers
        equal across seeds, and (a prior) the no-op ``update``."""
        from .interfaces import PriorUpdater

        mod = getattr(self.exps[0].models, kind)
        if any(True for _ in mod.parameters()):
            return False
        if isinstance(mod, PriorUpdater) and type(mod).update is not PriorUpdater.update:
            return False
        return all(torch.equal(t, t[:1].expand_as(t)) for n, t in self.buffers.items() if n.startswith(kind + "."))

    # -- stacking and splitting --------------------------------------------------------------------------------------
    @torch.no_grad()
    def restack(self) -> None:
        """The stacked state from the seeds' modules (after building or loading checkpoints into them)."""
        per = [dict(b.named_parameters()) for b in self.bundles]
        for n in self.param_names:
            t = torch.stack([p[n].detach() for p in per]).requires_grad_(per[0][n].requires_grad)
            if n in self.params:  # keep the leaves the optimizers hold
                self.params[n].copy_(t)
            else:
                self.params[n] = t
        perb = [dict(b.named_buffers()) for b in self.bundles]
        for n in self.buffer_names:
            t = torch.stack([p[n] for p in perb])
            if n in self.buffers:
                self.buffers[n].copy_(t)
            else:
                self.buffers[n] = t

    @torch.no_grad()
    def unstack(self, s: int) -> None:
        """Copy seed ``s``'s slices into its own modules (and its EMA), for saving, sampling and evaluation."""
        src = [self.params[n][s] for n in self.param_names] + [self.buffers[n][s] for n in self.buffer_names]
        if src:
            torch._foreach_copy_(self._per_seed[s], src)
        if self.emas is not None:
            ema = self.emas[s].module
            torch._foreach_copy_(list(ema.parameters()), [t[s] for t in self.ema_params])
            if self.ema_bufs:
                torch._foreach_copy_(list(ema.buffers()), [t[s] for t in self.ema_bufs])

    def state(self) -> dict[str, Tensor]:
        return {**self.params, **self.buffers}

    def optimizer_state(self, name: str, s: int) -> dict[str, Any]:
        """Seed ``s``'s slice of a stacked optimizer's state dict: the single run's layout."""
        opt = self.optimizers[name]
        sd = opt.state_dict()
        shapes = [tuple(p.shape) for g in opt.param_groups for p in g["params"]]
        state = {}
        for i, st in sd["state"].items():
            state[i] = {k: (v[s].clone() if isinstance(v, Tensor) and k != "step" and tuple(v.shape) == shapes[i]
                            else v.clone() if isinstance(v, Tensor) else copy.deepcopy(v)) for k, v in st.items()}
        return {"state": state, "param_groups": copy.deepcopy(sd["param_groups"])}

    def load_optimizer_states(self, name: str, per_seed: list[dict[str, Any]]) -> None:
        """Stack the seeds' saved optimizer state dicts into the stacked optimizer ``name``."""
        opt = self.optimizers[name]
        shapes = [tuple(p.shape) for g in opt.param_groups for p in g["params"]]
        first = per_seed[0]
        state = {}
        for i, st in first["state"].items():
            i = int(i)
            if any(i not in sd["state"] for sd in per_seed):
                raise VectorizeRefused([f"optimizer '{name}': the seeds' checkpoints hold different optimizer states"])
            state[i] = {}
            for k, v in st.items():
                if isinstance(v, Tensor) and k != "step" and tuple(v.shape) == shapes[i][1:]:
                    state[i][k] = torch.stack([sd["state"][i][k] for sd in per_seed])
                else:
                    state[i][k] = v
        opt.load_state_dict({"state": state, "param_groups": first["param_groups"]})

    def rng(self, s: int) -> dict[str, Any]:
        """Seed ``s``'s RNG states in :func:`condgan.train.rng_state`'s layout: torch's is the seed's generator;
        numpy's and Python's are as seeding left them (the loop draws none)."""
        from .train import rng_state, seed_everything

        saved = torch.get_rng_state()
        seed_everything(self.seeds[s])
        out = rng_state()
        torch.set_rng_state(saved)
        g = self.generators[s]
        if g.device.type == "cuda":
            out["cuda"] = list(out["cuda"])
            out["cuda"][g.device.index or 0] = g.get_state()
        else:
            out["torch"] = g.get_state()
        return out

    def set_rng(self, s: int, state: dict[str, Any]) -> None:
        g = self.generators[s]
        if g.device.type == "cuda":
            g.set_state(state["cuda"][g.device.index or 0])
        else:
            g.set_state(state["torch"])

    # -- one side of a step ------------------------------------------------------------------------------------------
    def record(self, side: str, real: dict, step: int) -> list[tuple[str, int]]:
        """The draws ``side`` makes at ``step``: the side run un-vmapped for seed 0, on copies, with a scratch RNG."""
        state0 = {n: t[0].detach().clone().requires_grad_(t.requires_grad) for n, t in self.state().items()}
        saved = {k: v for k, v in vars(self.objective).items()}
        self.feed.recording, self.feed.plan = True, []
        self.feed.scratch = torch.Generator(device=self.generators[0].device).manual_seed(0)
        try:
            batch = Batch(**{k: t[0] for k, t in real.items()})
            with torch.enable_grad():
                functional_call(self.bundle, state0, (lambda: getattr(self.objective, side)(self.models, batch, step),))
        finally:
            self.feed.recording = False
            vars(self.objective).update(saved)
        return list(self.feed.plan)

    def predraw(self, plan: list[tuple[str, int]]) -> list[Tensor]:
        """The plan's draws for every seed, each from its generator, stacked ``(S, n, ...)``."""
        out = []
        for kind, n in plan:
            per = []
            for s, g in enumerate(self.generators):
                if self._draw_direct[kind]:
                    per.append(draw_one(self.models, kind, n, g))
                else:  # a sampler with state of its own per seed: this seed's slices swapped in
                    prefix = "prior." if kind == "conditions" else "latent."
                    st = {k: t[s] for k, t in self.state().items() if k.startswith(prefix)}
                    per.append(functional_call(self._samplers[kind], st, (lambda: draw_one(self.models, kind, n, g),),
                                               tie_weights=self.tied))
            out.append(torch.stack(per))
        return out

    def side(self, side: str, real: dict, step: int, log_step: bool):
        """Run ``objective.<side>`` for every seed: ``(losses, logs, class_probs)`` with a leading seed dim.
        The draws are exactly the single runs' (see the module docstring); a changed plan is recorded and rerun."""
        for attempt in range(2):
            if self.plans[side] is None:
                self.plans[side] = self.record(side, real, step)
            plan = self.plans[side]
            gen_states = [g.get_state() for g in self.generators]
            buf_states = [t.clone() for t in self.buffers.values()]
            draws = self.predraw(plan)
            self.feed.plan = plan  # what the served draws are checked against: this side's plan
            try:
                return self._vmapped(side, real, step, log_step, draws)
            except _PlanChanged:
                for g, st in zip(self.generators, gen_states):
                    g.set_state(st)
                with torch.no_grad():
                    torch._foreach_copy_(list(self.buffers.values()), buf_states)
                self.plans[side] = None
        raise CondganError(f"{side} of objective '{self.exps[0].config.components['objective'].type}' asked for "
                           f"other draws than the ones just recorded for step {step}; it cannot be vectorized")

    def _vmapped(self, side: str, real: dict, step: int, log_step: bool, draws: list[Tensor]):
        obj, models, feed, bundle = self.objective, self.models, self.feed, self.bundle
        tied = self.tied
        has_probs = []  # vmap returns tensors only: whether class_probs was None is told on the side

        def one_seed(state, draws, real):
            def run():
                feed.values, feed.i = draws, 0
                out = getattr(obj, side)(models, Batch(**real), step)
                if feed.i != len(feed.plan):
                    raise _PlanChanged
                logs = {}
                if log_step:
                    logs = {k: torch.as_tensor(v() if callable(v) else v).detach().reshape(())
                            for k, v in out.logs.items()}
                has_probs.append(out.class_probs is not None)
                cp = out.class_probs.detach() if out.class_probs is not None else torch.zeros(())
                return dict(out.losses), logs, cp
            return functional_call(bundle, state, (run,), tie_weights=tied)

        losses, logs, cp = vmap(one_seed, randomness="error")(self.state(), draws, real)
        return losses, logs, (cp if has_probs[0] else None)

    def apply(self, losses: dict[str, Tensor], step: int) -> None:
        """:func:`condgan.train.train`'s apply for ``(S,)`` losses: per optimizer the sum of its losses; one backward
        of the sum over seeds (each seed's slice gets its own gradient); step."""
        obj = self.objective
        totals: dict[str, Tensor] = {}
        for name, loss in losses.items():
            for opt in obj.optimizers_of(name):
                totals[opt] = totals[opt] + loss if opt in totals else loss
        for opt, total in totals.items():
            finite = torch.isfinite(total.detach())
            if not bool(finite.all()):
                seeds = [self.seeds[i] for i in (~finite).nonzero().flatten().tolist()]
                bad = [n for n, v in losses.items() if not bool(torch.isfinite(v.detach()).all())]
                raise NonFiniteLossError(f"non-finite loss {', '.join(repr(b) for b in bad)} at step {step} (optimizer "
                                         f"'{opt}', seeds {seeds}); the last good checkpoints are kept. Lower the "
                                         f"learning rate or add a regularizer.")
        items = list(totals.items())
        for i, (opt, total) in enumerate(items):
            self.optimizers[opt].zero_grad(set_to_none=True)
            total.sum().backward(inputs=self.opt_params[opt], retain_graph=i < len(items) - 1)
        for opt, _ in items:
            self.optimizers[opt].step()

    def update_prior(self, class_probs: Tensor) -> None:
        """``prior.update`` of every seed with its own class probabilities, vmapped over the seeds."""
        names, bundle, prior = self.prior_names, self.bundle, self.models.prior
        if not names:  # a prior without state: its update changes nothing a seed owns
            for s in range(self.S):
                prior.update(class_probs[s])
            return

        def one_seed(state, cp):
            def run():
                prior.update(cp)
                return prior.probs()
            return functional_call(bundle, state, (run,), tie_weights=self.tied)

        st = self.state()
        vmap(one_seed, randomness="error")({n: st[n] for n in names}, class_probs)

    @torch.no_grad()
    def update_ema(self) -> None:
        torch._foreach_lerp_(self.ema_params, [p.detach() for p in self.ema_src], 1.0 - self.run.ema_decay)
        if self.ema_bufs:
            torch._foreach_copy_(self.ema_bufs, self.ema_buf_src)

    # -- the dry run -------------------------------------------------------------------------------------------------
    def dry_run(self, real: dict, step: int) -> None:
        """Both sides, the prior update and the backward once under vmap, on copies; :class:`VectorizeRefused`
        naming the component when something fails."""
        exp0 = self.exps[0]
        params = {n: t.detach().clone().requires_grad_(t.requires_grad) for n, t in self.params.items()}
        buffers = {n: t.clone() for n, t in self.buffers.items()}
        live = (self.params, self.buffers)
        gens = [g.get_state() for g in self.generators]
        before = dict(vars(self.objective))
        self.params, self.buffers = params, buffers  # the plans recorded here are kept for the run
        try:
            for side in ("discriminator_step", "generator_step"):
                losses, logs, cp = self.side(side, real, step, log_step=True)
                total = sum(v.sum() for v in losses.values())
                leaves = [t for t in params.values() if t.requires_grad]
                if total.requires_grad and leaves:
                    torch.autograd.grad(total, leaves, allow_unused=True)
                if cp is not None:
                    try:
                        self.update_prior(cp)
                    except Exception as exc:  # noqa: BLE001
                        raise VectorizeRefused([_blame(exc, exp0, self.bundle)]) from None
            kept = [k for k, v in vars(self.objective).items()
                    if isinstance(v, Tensor) and (k not in before or before[k] is not v)]
            if kept:
                raise VectorizeRefused([f"objective '{exp0.config.components['objective'].type}' keeps tensors "
                                        f"between steps in attribute(s) {', '.join(kept)} instead of a module buffer"])
        except VectorizeRefused:
            raise
        except Exception as exc:  # noqa: BLE001 - reported with the component's name
            raise VectorizeRefused([_blame(exc, exp0, self.bundle)]) from None
        finally:
            self.params, self.buffers = live
            for g, st in zip(self.generators, gens):
                g.set_state(st)
            vars(self.objective).clear()
            vars(self.objective).update(before)


# -- building and training a group ---------------------------------------------------------------------------------
def build_group(raws: Sequence[dict[str, Any]], source: str):
    """The experiments of the group's seeds, built as each single run builds its own (same initial weights).

    The data set is built for seeds 0 and 1; when the two are equal (the data do not depend on ``run.seed``, which
    seeds the global RNG before a data set is built) and seed 1 built around seed 0's data set gets the same initial
    weights (building the data drew nothing from the global RNG that the networks' initialisation would have seen),
    every later seed shares seed 0's data set, built once and held once."""
    from .build import build_experiment
    from .config import parse_config
    from .plugin_manager import get_components

    comps = get_components()
    exps, shared = [], None
    for i, raw in enumerate(raws):
        cfg = parse_config(raw, comps, source=source)
        exp = build_experiment(cfg, comps, dataset=shared)
        if i == 1:
            d0, d = exps[0].dataset, exp.dataset
            if d.x.shape == d0.x.shape and torch.equal(d.x, d0.x) and torch.equal(d.y, d0.y) and \
                    d.labeled == d0.labeled:
                again = build_experiment(cfg, comps, dataset=d0)
                same = [torch.equal(a, b) for k in KINDS if isinstance(getattr(exp.models, k, None), nn.Module)
                        for a, b in zip(getattr(exp.models, k).state_dict().values(),
                                        getattr(again.models, k).state_dict().values())]
                if all(same):
                    exp.dataset = shared = d0
        exps.append(exp)
    return exps


def _same_config(exps) -> list[str]:
    from .config import dumps_json

    def strip(e):
        r = json.loads(dumps_json(e.config.resolved()))
        r.get("run", {}).pop("seed", None)
        return r

    first = strip(exps[0])
    return [] if all(strip(e) == first for e in exps[1:]) else ["the seeds' configs differ in more than run.seed"]


def train_vectorized(raws: Sequence[dict[str, Any]], seeds: Sequence[int], run_dirs: Sequence[str | Path], *,
                     resume: Sequence[bool] | bool = False, force: bool = False, source: str = "<config>",
                     log: Callable[..., None] = print, check_step: bool = True) -> list[dict[str, Any]]:
    """Train the seeds ``seeds`` (configs ``raws``, equal but for ``run.seed``) in one process, vectorized; one run
    directory each. ``resume``: per seed (or for all), continue from the newest checkpoint; every resumed seed must
    be at the same step. Returns the single runs' summaries (plus ``seed``), in order. Raises
    :class:`VectorizeRefused`, naming the component, before anything is written when the group cannot be vectorized.
    """
    from .allocator import keep_freed_memory
    from .checkpoint import load_latest
    from .plugin_manager import get_plugin_manager
    from .step_check import check_objective_step
    from .threads import num_threads

    run_dirs = [Path(d) for d in run_dirs]
    resumes = [bool(resume)] * len(seeds) if isinstance(resume, bool) else [bool(r) for r in resume]
    exps = build_group(raws, source)
    problems = _same_config(exps) + static_problems(exps[0])
    if problems:
        raise VectorizeRefused(problems)
    if check_step:
        check_objective_step(exps[0])
    start = 0
    states = None
    if any(resumes):
        if not all(resumes):
            raise VectorizeRefused(["some seeds resume and others start afresh"])
        loaded = [load_latest(d / "checkpoints", map_location=exps[0].models.device, log=log) for d in run_dirs]
        steps = {int(st["step"]) for st, _ in loaded}
        if len(steps) > 1:
            raise VectorizeRefused([f"the seeds' newest checkpoints are at different steps ({sorted(steps)})"])
        start, states = steps.pop(), [st for st, _ in loaded]
        for e, st in zip(exps, states):
            for kind in KINDS:
                mod = getattr(e.models, kind, None)
                if mod is not None and kind in st["models"]:
                    mod.load_state_dict(st["models"][kind])
    stack = SeedStack(exps, seeds)
    if states is not None:
        for name in stack.optimizers:
            stack.load_optimizer_states(name, [st["optimizers"][name] for st in states])
        if stack.emas is not None:
            for s, st in enumerate(states):
                if st.get("ema") is not None:
                    stack.emas[s].module.load_state_dict(st["ema"])
            with torch.no_grad():
                for i, (n, _) in enumerate(exps[0].models.generator.named_parameters()):
                    stack.ema_params[i].copy_(torch.stack([dict(e.module.named_parameters())[n] for e in stack.emas]))
                for i, (n, _) in enumerate(exps[0].models.generator.named_buffers()):
                    stack.ema_bufs[i].copy_(torch.stack([dict(e.module.named_buffers())[n] for e in stack.emas]))
        for s, st in enumerate(states):
            stack.set_rng(s, st["rng"])
    run = stack.run
    with num_threads(run.threads):
        streams = _streams(exps, seeds)
        for m in [e.models for e in exps] + [stack.models]:  # as train() sets it, before anything runs a step
            m.steps_per_epoch = streams[0].steps_per_epoch
        stack.dry_run(_real(streams, start), start)  # refuses before anything is written
        if run.tune_malloc and stack.device.type == "cpu":
            keep_freed_memory()
        versions = get_plugin_manager().versions()
        return _loop(stack, streams, run_dirs, start, resume=states is not None, force=force, versions=versions,
                     log=log)


def _streams(exps, seeds):
    from .data import BatchStream

    run = exps[0].config.run
    return [BatchStream(e.dataset, run.batch_size, s, e.models.device) for e, s in zip(exps, seeds)]


def _real(streams, step: int) -> dict[str, Tensor]:
    """The seeds' batches at ``step``, stacked: ``{"x", "c", "y"}`` with a leading seed dim (absent when None)."""
    ds = streams[0].dataset
    if all(st.dataset is ds for st in streams):  # one gather for every seed: a batch is row-wise in the indices
        idx = torch.stack([st.indices(step) for st in streams])
        b = ds.batch(idx.reshape(-1), streams[0].device)
        return {k: getattr(b, k).reshape(idx.shape + getattr(b, k).shape[1:]) for k in ("x", "c", "y")
                if getattr(b, k) is not None}
    bs = [st.batch(step) for st in streams]
    return {k: torch.stack([getattr(b, k) for b in bs]) for k in ("x", "c", "y") if getattr(bs[0], k) is not None}


def _loop(stack: SeedStack, streams, run_dirs: list[Path], start: int, *, resume: bool, force: bool, versions,
          log) -> list[dict[str, Any]]:
    from .checkpoint import save_checkpoint
    from .runlock import RunLock
    from .sampling import sample_figure
    from .tensorboard_log import open_tensorboard
    from .train import MetricsLog, StopRequested, checkpoint_state, prepare_run_dir

    exps, run, S, obj = stack.exps, stack.run, stack.S, stack.objective
    m0 = exps[0].models
    evaluators = [None] * S
    if run.eval_every:
        from .evaluation.during_training import make_evaluator

        evaluators = [make_evaluator(e, run.eval_metrics, run.eval_samples) for e in exps]
    fixed = [torch.Generator().manual_seed(s + 7919) for s in stack.seeds]
    rng_devices = [stack.device] if stack.device.type == "cuda" else []
    with contextlib.ExitStack() as cleanup:
        for d in run_dirs:
            lock = RunLock(d).acquire()
            cleanup.callback(lock.release)
        for e, d in zip(exps, run_dirs):
            prepare_run_dir(e, d, versions, resume, force)
        tbs = [open_tensorboard(d, run.tensorboard, start if resume else None) for d in run_dirs]
        for tb in tbs:
            if tb is not None:
                cleanup.callback(tb.close)
        metrics = [MetricsLog(d / "metrics.csv", start if resume else None, mirror=tb) for d, tb in zip(run_dirs, tbs)]

        def modules_of(e) -> dict[str, nn.Module]:
            return {k: getattr(e.models, k) for k in KINDS if getattr(e.models, k, None) is not None}

        def checkpoint(step: int) -> None:
            for s, (e, d) in enumerate(zip(exps, run_dirs)):
                stack.unstack(s)
                state = checkpoint_state(step, {k: mod.state_dict() for k, mod in modules_of(e).items()},
                                         {n: stack.optimizer_state(n, s) for n in stack.optimizers},
                                         stack.emas[s].module.state_dict() if stack.emas is not None else None,
                                         stack.rng(s))
                save_checkpoint(state, d / "checkpoints", step, keep=run.keep_checkpoints)
                if tbs[s] is not None:
                    tbs[s].flush()

        def sample_generator(s: int):
            return stack.emas[s].module if stack.emas is not None else exps[s].models.generator

        last_logs: list[dict[str, float]] = [{} for _ in range(S)]
        t0, step = time.perf_counter(), start
        with StopRequested() as stop:
            for step in range(start, run.steps):
                for mod in (m0.generator, m0.discriminator):
                    if not mod.training:
                        mod.train()
                real = _real(streams, step)
                g_turn = step % run.g_every == 0
                done = step + 1
                log_step = done % run.log_every == 0 or done == run.steps
                out_d = stack.side("discriminator_step", real, step, log_step)
                out_g = stack.side("generator_step", real, step, log_step) \
                    if g_turn and run.update == "simultaneous" else None
                if out_g is not None:
                    stack.apply(out_g[0], step)
                stack.apply(out_d[0], step)
                if out_d[2] is not None and run.prior_update == "before_generator":
                    stack.update_prior(out_d[2])
                if g_turn and out_g is None:
                    out_g = stack.side("generator_step", real, step, log_step)
                    stack.apply(out_g[0], step)
                if out_d[2] is not None and run.prior_update == "end_of_step":
                    stack.update_prior(out_d[2])
                if stack.emas is not None and g_turn:
                    stack.update_ema()
                if log_step:
                    logs = {**out_d[0], **(out_g[0] if out_g is not None else {}), **out_d[1],
                            **(out_g[1] if out_g is not None else {})}
                    flat = torch.stack([v.detach().double().reshape(S) for v in logs.values()]) if logs else None
                    elapsed = round(time.perf_counter() - t0, 3)
                    for s in range(S):
                        last_logs[s] = dict(zip(logs.keys(), flat[:, s].tolist())) if flat is not None else {}
                        metrics[s].append({"step": done, "time_s": elapsed,
                                           **{k: f"{v:.6g}" for k, v in last_logs[s].items()}})
                if run.eval_every and done % run.eval_every == 0 and evaluators[0] is not None:
                    for s in range(S):
                        stack.unstack(s)
                        with torch.random.fork_rng(devices=rng_devices):
                            scores = evaluators[s](exps[s], sample_generator(s), done)
                        metrics[s].append({"step": done, **{f"eval/{k}": v for k, v in scores.items()}})
                if run.sample_every and done % run.sample_every == 0:
                    for s in range(S):
                        stack.unstack(s)
                        grid = run_dirs[s] / "samples" / f"step_{done:08d}.png"
                        with torch.random.fork_rng(devices=rng_devices):
                            sample_figure(exps[s], sample_generator(s), grid, fixed[s])
                        if tbs[s] is not None:
                            tbs[s].image("samples", grid, done)
                if run.checkpoint_every and done % run.checkpoint_every == 0:
                    checkpoint(done)
                if stop.signal is not None:
                    checkpoint(done)
                    log(f"condgan: stopped by signal {stop.signal} at step {done}; checkpoints saved. Resume with "
                        f"`condgan train --resume <group>`.", file=sys.stderr)
                    return [{"step": done, "losses": last_logs[s], "run_dir": str(run_dirs[s]), "interrupted": True,
                             "seed": stack.seeds[s]} for s in range(S)]
        done = max(step + 1, start)
        if not (run.checkpoint_every and done % run.checkpoint_every == 0) or start == run.steps:
            checkpoint(done)
        for s in range(S):
            stack.unstack(s)
            sample_figure(exps[s], sample_generator(s), run_dirs[s] / "samples.png", fixed[s])
            if tbs[s] is not None:
                tbs[s].image("samples", run_dirs[s] / "samples.png", done)
        return [{"step": done, "losses": last_logs[s], "run_dir": str(run_dirs[s]), "interrupted": False,
                 "seed": stack.seeds[s]} for s in range(S)]
