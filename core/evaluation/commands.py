"""CLI glue for ``condgan evaluate``, ``condgan train-evaluator`` and ``condgan plot`` (wired in by core/cli.py)."""

from __future__ import annotations

import json
import sys


def cmd_evaluate(args) -> int:
    from ..groups import evaluate_group, is_group, render_group
    from .evaluate import evaluate_run

    metrics = [m for part in (args.metrics or []) for m in part.split(",") if m] or None

    def one(run_dir):
        return evaluate_run(run_dir, metrics, args.samples, args.seed, evaluator=args.evaluator,
                            reference=args.reference, n_boot=args.bootstrap, device=args.device,
                            force_evaluator=args.force_evaluator)

    if is_group(args.run_dir):  # a seed group: every seed, then the mean over seeds with its interval
        res = evaluate_group(args.run_dir, one, n_boot=max(args.bootstrap, 1000), seed=args.seed)
        print(json.dumps(res, indent=2) if args.json else render_group(res))
        print(f"condgan: wrote {args.run_dir}/group_eval.json and group_eval.md (and each seed's eval.json)",
              file=sys.stderr)
        return 0
    out = one(args.run_dir)
    from .evaluate import render_report
    print(json.dumps(out, indent=2, default=str) if args.json else render_report(out))
    print(f"condgan: wrote {args.run_dir}/eval.json and eval.md", file=sys.stderr)
    return 0


def cmd_train_evaluator(args) -> int:
    from .evaluators import train_evaluator

    card = train_evaluator(args.dataset, args.out, epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
                           seed=args.seed, root=args.root, limit=args.limit, threads=args.threads)
    print(f"condgan: evaluator for {card['dataset']}: test accuracy {card['test_accuracy']:.4f}; "
          f"SHA-256 {card['sha256']}")
    return 0


def cmd_plot(args) -> int:
    from .plots import plot_runs

    path = plot_runs(args.run_dirs, args.metric, args.out, log_y=args.log_y)
    print(f"condgan: wrote {path}")
    return 0


def add_evaluate_parser(subparsers) -> None:
    p = subparsers.add_parser("evaluate", help="evaluate a trained run (or every seed of a seed group, with the mean "
                              "over seeds): metrics with intervals and a protocol card")
    p.add_argument("run_dir")
    p.add_argument("--metrics", action="append", help="metric names, comma-separated (default: fid, intra_fid, kid, "
                   "precision_recall, density_coverage, inception_score, class_accuracy, class_histogram)")
    p.add_argument("--samples", type=int, default=5000, help="generated samples, class-balanced (default 5000)")
    p.add_argument("--seed", type=int, default=0, help="noise and bootstrap seed (same seed, same numbers)")
    p.add_argument("--evaluator", help="evaluation classifier .safetensors (default: $CONDGAN_EVALUATORS or "
                   "~/.cache/condgan/evaluators/<dataset>.safetensors)")
    p.add_argument("--force-evaluator", action="store_true", help="use an evaluator trained on other data than the "
                   "run's (refused otherwise); the mismatch is written in the protocol card")
    p.add_argument("--reference", choices=("test", "train"), default="test", help="real split to compare with")
    p.add_argument("--bootstrap", type=int, default=100, help="bootstrap replicates for the 95%% intervals (0: none)")
    p.add_argument("--device", default="cpu")
    p.add_argument("--json", action="store_true", help="print eval.json instead of the report")
    p.set_defaults(func=cmd_evaluate)


def add_train_evaluator_parser(subparsers) -> None:
    p = subparsers.add_parser("train-evaluator", help="train the evaluation classifier of a dataset (CPU, minutes)")
    p.add_argument("--dataset", required=True, help="a registered image dataset, e.g. fashion_mnist, digits, mnist")
    p.add_argument("--out", help="weights path (.safetensors); a .json card is written beside it")
    p.add_argument("--epochs", type=int, default=None, help="default: 30 for images <= 16 px, else 4")
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--root", default="", help="dataset folder (datasets that read files)")
    p.add_argument("--limit", type=int, default=0, help="first n training samples only (0: all)")
    p.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    p.set_defaults(func=cmd_train_evaluator)


def add_plot_parser(subparsers) -> None:
    p = subparsers.add_parser("plot", help="draw one metric of several runs against the step into a PNG (a seed "
                              "group: its mean over seeds with a 95%% interval band)")
    p.add_argument("run_dirs", nargs="+")
    p.add_argument("--metric", required=True, help="a metrics.csv column, e.g. fid (eval/fid) or d_adv")
    p.add_argument("--out", default="metrics.png")
    p.add_argument("--log-y", action="store_true")
    p.set_defaults(func=cmd_plot)
