"""The ``condgan`` command line: train, sample, plugins, list, describe, presets, reproduce, claims (+ evaluate, plot,
train-evaluator from :mod:`condgan.evaluation.commands`). Errors print without a traceback (exit 2 for config errors)."""

from __future__ import annotations

import argparse
import json
import os
import sys
import warnings
from pathlib import Path

from . import __version__
from .errors import CondganError, ConfigError


def _warning_format(message, category, filename, lineno, line=None):
    from .plugin_manager import CondganPluginWarning

    if issubclass(category, CondganPluginWarning):
        return f"condgan: {message}\n"
    return f"{category.__name__}: {message}\n"


def _components(*kinds: str):
    """The registered components; naming ``kinds`` collects only those, so listing presets imports no torch."""
    from .plugin_manager import get_components

    return get_components(kinds or None)


# -- commands ------------------------------------------------------------------------------------------------------
def cmd_train(args) -> int:
    from .experiment import run_experiment

    if args.seeds or (args.resume and (Path(args.resume) / "group.json").exists()):
        return _train_group(args)
    # a config file is read as a file (a clear "not found"); --resume alone continues with the run's config.json
    source = Path(args.config) if args.config else (None if args.resume else args.preset)
    summary = run_experiment(source, args.set or [], args.out, resume=args.resume, force=args.force)
    run_dir = Path(summary["run_dir"])
    if not summary["interrupted"] and os.environ.get("RANK", "0") == "0":  # under torchrun, rank 0 reports
        pic = run_dir / "samples.png"
        print(f"condgan: trained {summary['step']} steps; samples: {pic}; run directory: {run_dir}")
    return 130 if summary["interrupted"] else 0


def _train_group(args) -> int:
    """``--seeds``: one run per seed in worker processes (condgan.groups); ``--resume GROUP`` finishes a group."""
    from .config import apply_overrides, read_config
    from .experiment import read_raw_config, run_dir_of
    from .groups import parse_seeds, train_group

    if args.resume:
        group = Path(args.resume)
        saved = json.loads((group / "group.json").read_text())
        raw, source = saved["config"], saved["source"]
        if args.config:
            raw, source = read_config(args.config), args.config
        seeds = parse_seeds(args.seeds) if args.seeds else saved["seeds"]
    else:  # the reader run_experiment uses: a file, a preset, or the default preset
        raw, source = read_raw_config(Path(args.config) if args.config else args.preset, None)
        seeds = parse_seeds(args.seeds)
    raw = apply_overrides(raw, args.set or [])
    if args.out:
        raw.setdefault("run", {})["out_dir"] = args.out
    group = Path(args.resume) if args.resume else run_dir_of(raw)
    summaries = train_group(raw, seeds, group, source=source, workers=args.workers, resume=bool(args.resume),
                            force=args.force, vectorize=args.vectorize)
    trained = [s["seed"] for s in summaries if not s.get("skipped")]
    skipped = [s["seed"] for s in summaries if s.get("skipped")]
    print(f"condgan: trained seeds {', '.join(map(str, trained)) or '(none)'}"
          + (f"; skipped finished seeds {', '.join(map(str, skipped))}" if skipped else "")
          + f"; group directory: {group}")
    return 0


def cmd_sample(args) -> int:
    import torch

    from .sampling import conditions_for_grid, generate_per_condition, load_run
    from . import visual

    exp, gen, state = load_run(Path(args.run_dir), device=args.device, use_ema=not args.no_ema)
    torch.manual_seed(args.seed)
    noise = torch.Generator().manual_seed(args.seed)
    spec = exp.models.spec
    out = Path(args.out)
    if out.suffix == ".png":
        if len(exp.dataset.data_shape) == 3:
            conds, labels = conditions_for_grid(spec, max_cols=64)
            rows = args.per_class
            z = exp.models.latent.sample(rows, torch.device("cpu"), generator=noise)
            with torch.no_grad():
                x = gen(z.repeat_interleave(len(conds), 0), conds.repeat(rows, 1))
            visual.image_grid(x, rows, len(conds), labels, out)
        else:
            from .sampling import sample_figure

            sample_figure(exp, gen, out, noise)
        print(f"condgan: wrote {out} (step {state['step']})")
        return 0
    x, y = generate_per_condition(gen, exp.models.latent, spec, args.per_class, torch.device(args.device), noise)
    out.mkdir(parents=True, exist_ok=True)
    torch.save({"x": x, "labels": y, "spec": spec.to_dict(), "step": state["step"]}, out / "samples.pt")
    if len(exp.dataset.data_shape) == 3:
        from torchvision.utils import save_image

        for j, lab in enumerate(spec.combination_labels()):
            folder = out / lab.replace("/", "_").replace(", ", "__").replace(" ", "_")
            folder.mkdir(exist_ok=True)
            for i in range(args.per_class):
                save_image(x[j * args.per_class + i].add(1).div(2), folder / f"{i:05d}.png")
    print(f"condgan: wrote {len(x)} samples to {out} (step {state['step']})")
    return 0


def cmd_plugins(args) -> int:
    from .plugin_manager import get_plugin_manager

    infos = get_plugin_manager().plugins()
    if args.json:
        print(json.dumps([i.to_dict() for i in infos], indent=2))
        return 0
    print(f"{'plugin':<14} {'distribution':<22} {'version':<9} {'status':<9} components")
    for i in infos:
        counts = ", ".join(f"{k} {v}" for k, v in sorted(i.counts.items())) or "-"
        status = i.status if i.status != "failed" else "failed"
        print(f"{i.name:<14} {i.distribution:<22} {i.version:<9} {status:<9} {counts}")
        if i.error:
            print(f"{'':<14} error: {i.error}")
    return 0


def cmd_list(args) -> int:
    from .hookspecs import KINDS

    kinds = [args.kind] if args.kind != "all" else list(KINDS)
    for kind in kinds:
        if kind not in KINDS:
            from .errors import did_you_mean

            raise ConfigError([("KIND", f"unknown component kind '{kind}'.{did_you_mean(kind, KINDS)} "
                                        f"Kinds: {', '.join(KINDS)}, all")])
    comps = _components(*kinds) if args.kind != "all" else _components()
    for kind in kinds:
        entries = comps[kind].list(args.pattern or "*")
        if args.json:
            print(json.dumps([{"name": e.name, "kind": kind, "description": e.description} for e in entries]))
            continue
        if len(kinds) > 1:
            print(f"[{kind}]")
        for e in entries:
            print(f"  {e.name:<32} {e.description}")
    return 0


def cmd_describe(args) -> int:
    from .docs_gen import describe_entry

    comps = _components()
    found = comps.find(args.name)
    if not found:
        from .errors import did_you_mean

        names = [n for r in comps.registries.values() for n in r.names()]
        raise ConfigError([("NAME", f"no component named '{args.name}'.{did_you_mean(args.name, names)} "
                                    f"See `condgan list all`.")])
    for entry in found:
        print(describe_entry(entry))
        if entry.kind == "presets":
            _print_term_order(entry, comps)
    return 0


def _print_term_order(entry, comps) -> None:
    """For a preset of ``core.composite``: the order its terms run in."""
    import tomllib

    from .config import parse_config

    raw = tomllib.loads(entry.factory.read_text())
    if (raw.get("objective") or {}).get("type") != "core.composite":
        return
    from .composite import term_order

    cfg = parse_config(raw, comps, source=entry.name)
    print("\n  terms, in the order they run:")
    for row in term_order(cfg.components["objective"].params, comps):
        print(f"    {row}")


def cmd_presets(args) -> int:
    for e in _components("presets")["presets"].list(args.pattern or "*"):
        print(f"  {e.name:<32} {e.description}")
    return 0


def cmd_reproduce(args) -> int:
    comps = _components("reproductions")
    if not args.name:
        for e in comps["reproductions"]:
            print(f"  {e.name.replace('.', '-', 1).replace('_', '-'):<26} {e.description}")
        return 0
    # "uacgan-mog", "uacgan.mog", "uacgan_mog" and "mog" all name uacgan.mog (registry names cannot hold a dash)
    want = args.name.replace("-", ".", 1) if "." not in args.name else args.name
    forms = {args.name, want, want.replace("-", "_"), args.name.replace("-", "_")}
    matches = [e for e in comps["reproductions"]
               if e.name in forms or e.name.split(".", 1)[1] in forms or e.name.replace(".", "_") in forms]
    if not matches:
        from .errors import did_you_mean

        names = [e.name.split(".", 1)[1] for e in comps["reproductions"]]
        raise ConfigError([("NAME", f"unknown reproduction '{args.name}'.{did_you_mean(args.name, names)} "
                                    f"See `condgan reproduce` for the list.")])
    from .interrupts import sigterm_raises_keyboard_interrupt

    if args.vectorize:  # the reproductions read it as they read CONDGAN_WORKERS
        os.environ["CONDGAN_VECTORIZE"] = "1"
    with sigterm_raises_keyboard_interrupt():  # between runs SIGTERM stops like Ctrl-C: exit 130, not killed silently
        page = matches[0].factory(Path(args.out), args.quick)
    print(f"condgan: results written to {page}")
    return 0


def cmd_claims(args) -> int:
    """Recompute the claims tables of the results pages from their per-run JSON (``--check``: only compare)."""
    from .claims import find_pages, update_page

    stale = []
    for plugin, (source, pages) in find_pages(args.plugin).items():
        for page in pages:
            results, changed = update_page(page, Path(args.results), f"condgan claims {plugin}", source,
                                           write=not args.check)
            verdicts = ", ".join(f"{sum(r.comparison.verdict == v for r in results)} {v}"
                                 for v in sorted({r.comparison.verdict for r in results}))
            state = ("out of date" if args.check else "rewritten") if changed else "up to date"
            print(f"condgan: {Path(args.results) / page.page}: {len(results)} claims ({verdicts}); {state}")
            stale += [page.page] if changed else []
    return 1 if args.check and stale else 0


# -- parser --------------------------------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="condgan", description="Class-conditional GANs from config files and plugins.")
    p.add_argument("--version", action="version", version=f"condgan {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    t = sub.add_parser("train", help="train an experiment from a TOML config or a preset")
    t.add_argument("config", nargs="?", help="TOML experiment file (default: the preset core.digits)")
    t.add_argument("--preset", help="a registered preset name (see `condgan presets`)")
    t.add_argument("--set", action="append", metavar="TABLE.KEY=VALUE", help="override a config value (repeatable)")
    t.add_argument("--resume", metavar="RUN_DIR", help="continue a run from its newest checkpoint (or a seed group's "
                   "unfinished seeds)")
    t.add_argument("--force", action="store_true", help="resume with a changed config, or overwrite a run directory")
    t.add_argument("--out", help="parent folder of the run directory (overrides run.out_dir)")
    t.add_argument("--seeds", metavar="SEEDS", help="a seed group: one run per seed, e.g. 0-4 or 0,3,7, under "
                   "OUT/NAME/seed-<s>/ (resume the group with --resume OUT/NAME)")
    t.add_argument("--workers", type=int, metavar="N", help="worker processes for --seeds (default: the cores)")
    t.add_argument("--vectorize", action="store_true", help="with --seeds: train every seed in one process, one step "
                   "for all seeds at once (small models; falls back to worker processes, naming the component, when "
                   "something cannot be vectorized; docs/performance.md)")
    t.set_defaults(func=cmd_train)

    s = sub.add_parser("sample", help="generate samples from a trained run")
    s.add_argument("run_dir")
    s.add_argument("--per-class", type=int, default=8, help="samples per condition (rows of the grid)")
    s.add_argument("--out", default="samples.png", help="a .png grid, or a folder for image files + samples.pt")
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--device", default="cpu")
    s.add_argument("--no-ema", action="store_true", help="use the raw generator weights even when EMA weights exist")
    s.set_defaults(func=cmd_sample)

    pl = sub.add_parser("plugins", help="list plugins with distribution, version, status and component counts")
    pl.add_argument("--json", action="store_true")
    pl.set_defaults(func=cmd_plugins)

    ls = sub.add_parser("list", help="list registered components of a kind (or 'all')")
    ls.add_argument("kind")
    ls.add_argument("pattern", nargs="?", help="fnmatch pattern, e.g. 'amgan.*'")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=cmd_list)

    d = sub.add_parser("describe", help="show a component's parameters, defaults and documentation")
    d.add_argument("name")
    d.set_defaults(func=cmd_describe)

    pr = sub.add_parser("presets", help="list ready experiments")
    pr.add_argument("pattern", nargs="?")
    pr.set_defaults(func=cmd_presets)

    r = sub.add_parser("reproduce", help="run a paper reproduction and write its results page (no name: list them)")
    r.add_argument("name", nargs="?")
    r.add_argument("--out", default="docs/results", help="folder for the results page and figures")
    r.add_argument("--quick", action="store_true", help="a much shorter run, to check that it works")
    r.add_argument("--vectorize", action="store_true",
                   help="train each arm's seeds at once where the reproduction supports it (sets "
                        "CONDGAN_VECTORIZE=1; UAC-GAN's MoG); seeds then match their single runs to float tolerance")
    r.set_defaults(func=cmd_reproduce)

    c = sub.add_parser("claims", help="recompute the claims tables at the top of the results pages from the "
                       "per-run JSON (no plugin: every plugin with a claims module)")
    c.add_argument("plugin", nargs="?")
    c.add_argument("--results", default="docs/results", help="the results folder (pages and their JSON)")
    c.add_argument("--check", action="store_true", help="write nothing; exit 1 when a table is out of date")
    c.set_defaults(func=cmd_claims)

    from .evaluation import commands as eval_commands  # argparse only: torch is imported when a command runs

    for add in (eval_commands.add_evaluate_parser, eval_commands.add_train_evaluator_parser,
                eval_commands.add_plot_parser):
        add(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    warnings.formatwarning = _warning_format
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except ConfigError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except CondganError as exc:
        print(f"condgan: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as exc:  # Ctrl-C, or TrainingInterrupted naming the run that stopped
        print("condgan: interrupted" + (f": {exc}" if str(exc) else ""), file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
