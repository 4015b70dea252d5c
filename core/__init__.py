"""condgan: a plugin-based PyTorch framework for class-conditional GANs.

The public API is this module's ``__all__`` and the modules :mod:`condgan.losses` (shared loss functions) and
:mod:`condgan.testing` (strategies, tolerances, contract checks). Everything else is internal: it may move.

``import condgan`` is cheap: it imports neither torch nor a plugin. Every public name is loaded on first use
(a module ``__getattr__``, PEP 562), so ``condgan --version`` and ``condgan --help`` start in a fraction of a second.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

#: public name -> the module (relative to this package) that defines it
_EXPORTS: dict[str, str] = {
    # writing a plugin
    "hookimpl": ".hookspecs",
    **dict.fromkeys(["BuildContext", "Batch", "BatchComposer", "Classifier", "Discriminator", "DiscriminatorOutput",
                     "DiscriminatorView", "Generator", "HEAD_NAMES", "LatentSampler", "Models", "Objective",
                     "PriorUpdater", "Regularizer", "StatisticsNetwork", "StepOutput"], ".interfaces"),
    "LossTerm": ".terms", "Reads": ".terms", "TermView": ".terms",
    # the one AC-GAN, for the papers' variants to subclass or preset (issue 17)
    "ACGANObjective": ".builtins.objectives", "ACGANParams": ".builtins.objectives",
    # the conditional GAN, for objectives that change only its heads and logit (projection)
    "CGANObjective": ".builtins.objectives", "CGANParams": ".builtins.objectives",
    "component_field": ".config",
    "register_preset_folder": ".registry", "table_hook": ".registry",
    "ConditionSpec": ".conditions",
    "Dataset": ".data",
    "Metric": ".evaluation.metric", "EvalInputs": ".evaluation.metric",
    # the errors a plugin raises (each renders without a traceback in the CLI)
    **dict.fromkeys(["CondganError", "ConfigError", "DataError", "UnknownComponentError", "NonFiniteLossError",
                     "PluginLoadError", "DuplicateComponentError", "CheckpointError", "EvaluatorMismatchError"],
                    ".errors"),
    # finding components and running experiments
    "get_component": ".plugin_manager", "list_components": ".plugin_manager",
    "run_experiment": ".experiment",
    # a plugin's claims table (docs/results pages; `condgan claims`)
    **dict.fromkeys(["Claim", "ClaimsPage", "Side"], ".claims"),
}

#: the public modules besides ``condgan`` itself: a plugin, the template and the docs import only these
#: (tests/test_public_api.py checks it)
PUBLIC_MODULES = ("condgan", "condgan.losses", "condgan.testing", "condgan.testing.strategies", "condgan.experiments")

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'condgan' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # the next access is a plain attribute read
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
