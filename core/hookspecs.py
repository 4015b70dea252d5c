"""The hooks a condgan plugin can implement: one ``register_<kind>(register)`` per component kind.

Each hook is called once at start-up with a ``register`` callback::

    register(name, factory, *, params=None, description="")

``name`` is the local name (``^[a-z][a-z0-9_]*$``); the callback prefixes it with the plugin's name, so the
component becomes ``"<plugin>.<name>"`` and two plugins can never collide. ``factory(params, ctx)`` builds the
component from an instance of ``params`` (a frozen attrs class; None means the component takes no parameters)
and a :class:`~condgan.interfaces.BuildContext`. ``description`` is one line shown by ``condgan list``.

Never give a hook implementation's arguments default values: pluggy does not pass arguments that have defaults.
"""

from __future__ import annotations

from typing import Any, Callable, Protocol

import pluggy

PROJECT = "condgan"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


class Register(Protocol):
    """The callback every ``register_*`` hook receives."""

    def __call__(self, name: str, factory: Callable[..., Any], /, *, params: type | None = None,
                 description: str = "") -> None: ...


@hookspec
def register_generators(register: Register) -> None:
    """Register Generator factories: ``factory(params, ctx) -> Generator`` with ``forward(z, c) -> x``.

    Example::

        @condgan.hookimpl
        def register_generators(register):
            register("mlp", MLPGenerator, params=MLPParams, description="MLP generator for vectors")
    """


@hookspec
def register_discriminators(register: Register) -> None:
    """Register Discriminator factories: ``factory(params, ctx) -> Discriminator`` building the heads in ``ctx.heads``.

    Example::

        @condgan.hookimpl
        def register_discriminators(register):
            register("mlp", MLPDiscriminator, params=MLPParams, description="MLP discriminator")
    """


@hookspec
def register_classifiers(register: Register) -> None:
    """Register Classifier factories: ``factory(params, ctx) -> Classifier`` with ``forward(x) -> (B, K)`` logits.

    Example::

        @condgan.hookimpl
        def register_classifiers(register):
            register("mlp", MLPClassifier, params=MLPParams, description="MLP classifier Q(x)")
    """


@hookspec
def register_statistics_networks(register: Register) -> None:
    """Register StatisticsNetwork factories: ``forward(x, c, features=None) -> (B,)`` (MINE's T).

    Example::

        @condgan.hookimpl
        def register_statistics_networks(register):
            register("concat_mlp", ConcatT, params=TParams, description="T([x, c]) as an MLP")
    """


@hookspec
def register_prior_updaters(register: Register) -> None:
    """Register PriorUpdater factories: ``factory(params, ctx) -> PriorUpdater`` owning P(C).

    Example::

        @condgan.hookimpl
        def register_prior_updaters(register):
            register("ema", EMAPrior, params=EMAParams, description="EMA of the classifier's probabilities")
    """


@hookspec
def register_batch_composers(register: Register) -> None:
    """Register BatchComposer factories: what the discriminator sees in one step (separate or mixed batches).

    Example::

        @condgan.hookimpl
        def register_batch_composers(register):
            register("mixed", MixedBatches, params=MixedParams, description="real and fake in one forward")
    """


@hookspec
def register_latent_samplers(register: Register) -> None:
    """Register LatentSampler factories: the noise distribution p(z) with ``sample(n, device) -> (n, Z)``.

    Example::

        @condgan.hookimpl
        def register_latent_samplers(register):
            register("uniform", UniformLatent, params=LatentParams, description="z ~ U(-1, 1)")
    """


@hookspec
def register_objectives(register: Register) -> None:
    """Register Objective factories: one paper's method (its losses and which optimizer each updates).

    Example::

        @condgan.hookimpl
        def register_objectives(register):
            register("am_gan", AMGANObjective, params=AMGANParams, description="AM-GAN (Zhou et al., Eqs. 14-15)")
    """


@hookspec
def register_adversarial_losses(register: Register) -> None:
    """Register adversarial loss families: ``factory(params, ctx) -> AdversarialLoss(name, d_real, d_fake, g)``.

    Example::

        @condgan.hookimpl
        def register_adversarial_losses(register):
            register("relativistic", relativistic, description="relativistic average loss")
    """


@hookspec
def register_regularizers(register: Register) -> None:
    """Register discriminator regularizers: ``factory(params, ctx) -> condgan.Regularizer``.

    The regularizer implements ``penalty`` (and ``prepare_inputs`` when it differentiates D at the data); its
    params class has a ``weight`` field (an objective passes its ``regularizer_weight``) and may have ``every``.

    Example::

        @condgan.hookimpl
        def register_regularizers(register):
            register("r1", r1_factory, params=RegularizerParams, description="R1 gradient penalty")
    """


@hookspec
def register_losses(register: Register) -> None:
    """Register loss terms: ``factory`` is a :class:`condgan.LossTerm` (a pure function plus what it reads, the
    step and optimizer it serves, its options class as ``params``); ``core.composite`` builds methods from them.

    Example::

        @condgan.hookimpl
        def register_losses(register):
            register("twin_d", TWIN_D, params=TWIN_D.options, description="TAC-GAN's twin classifier, D side")
    """


@hookspec
def register_datasets(register: Register) -> None:
    """Register datasets: ``factory(params, ctx) -> condgan.data.Dataset`` (tensors, labels and a ConditionSpec).

    ``ctx`` is None for datasets: they come first and define the spec and the data shape.

    Example::

        @condgan.hookimpl
        def register_datasets(register):
            register("rings", make_rings, params=RingsParams, description="2-D concentric rings")
    """


@hookspec
def register_metrics(register: Register) -> None:
    """Register evaluation metrics: ``factory(params, ctx) -> Metric`` (see ``condgan.evaluation``).

    Example::

        @condgan.hookimpl
        def register_metrics(register):
            register("my_score", MyScore, params=MyScoreParams, description="a new sample-quality score")
    """


@hookspec
def register_presets(register: Register) -> None:
    """Register ready experiments: ``factory`` is a ``pathlib.Path`` (or ``importlib.resources`` file) of a TOML config.

    Example::

        @condgan.hookimpl
        def register_presets(register):
            register("fashion", files(__package__) / "presets" / "fashion.toml", description="...")
    """


@hookspec
def register_reproductions(register: Register) -> None:
    """Register ``condgan reproduce NAME`` experiments: ``factory(out_dir: Path, quick: bool) -> Path`` runs the
    experiment and returns the results page it wrote.

    Example::

        @condgan.hookimpl
        def register_reproductions(register):
            register("fashion", run_fashion, description="CA-GAN vs modified AC-GAN on Fashion-MNIST")
    """


#: component kind -> hook name; the kinds in the order a config is built
KINDS: dict[str, str] = {
    "datasets": "register_datasets",
    "objectives": "register_objectives",
    "adversarial_losses": "register_adversarial_losses",
    "regularizers": "register_regularizers",
    "losses": "register_losses",
    "generators": "register_generators",
    "discriminators": "register_discriminators",
    "classifiers": "register_classifiers",
    "statistics_networks": "register_statistics_networks",
    "prior_updaters": "register_prior_updaters",
    "batch_composers": "register_batch_composers",
    "latent_samplers": "register_latent_samplers",
    "metrics": "register_metrics",
    "presets": "register_presets",
    "reproductions": "register_reproductions",
}

#: singular names for messages
SINGULAR: dict[str, str] = {
    "datasets": "dataset",
    "objectives": "objective",
    "adversarial_losses": "adversarial loss",
    "regularizers": "regularizer",
    "losses": "loss term",
    "generators": "generator",
    "discriminators": "discriminator",
    "classifiers": "classifier",
    "statistics_networks": "statistics network",
    "prior_updaters": "prior updater",
    "batch_composers": "batch composer",
    "latent_samplers": "latent sampler",
    "metrics": "metric",
    "presets": "preset",
    "reproductions": "reproduction",
}
