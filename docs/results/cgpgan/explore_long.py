"""Runs beyond the reproduction's preset (docs/results/cgpgan.md, "What was tried"): does lambda_creg = 100 keep the
0.1 cluster apart with longer training, or with the paper's 4x512 networks; does seed 4 at lambda_creg = 0.1 settle
on four categories with more steps. Each run is an arm of the reproduction (same preset, same evaluation,
condgan.experiments) with the overrides below. Usage: python docs/results/cgpgan/explore_long.py NAME [NAME ...] (runs under /tmp/cgpx)."""
import json
import sys
import time

from functools import partial

from condgan.experiments import Arm, run_arms
from condgan.plugins.cgpgan.reproduce import PRESET_NAME, score

SPECS = {
    "lam100_10k": ["objective.lambda_creg=100", "run.steps=10000", "objective.normalize_until_step=3000",
                   "prior.decay=0.99"],
    "lam0.1_seed4_8k": ["objective.lambda_creg=0.1", "run.seed=4", "run.steps=8000",
                        "objective.normalize_until_step=2400", "prior.decay=0.99"],
    "lam100_wide": ["objective.lambda_creg=100", "generator.width=512", "generator.depth=4", "discriminator.width=512",
                    "discriminator.depth=4", "classifier.width=512", "classifier.depth=4", "latent.dim=256"],
}
SPECS["lam100_wide_10k"] = SPECS["lam100_wide"] + ["run.steps=10000", "objective.normalize_until_step=3000",
                                                   "prior.decay=0.99"]

for name in sys.argv[1:]:
    t0 = time.time()
    arm = Arm(name, PRESET_NAME, SPECS[name], info={"name": name, "overrides": SPECS[name]})
    r = run_arms([arm], "/tmp/cgpx/runs", evaluate=partial(score, fig_dir="/tmp/cgpx/fig"), run_name="{arm}")[0]
    keep = ("kept", "success_prior", "success_assignment", "cluster_accuracy", "nmi", "seconds")
    print(name, json.dumps({k: r[k] for k in keep}), f"{time.time() - t0:.0f}s", flush=True)
