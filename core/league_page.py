"""The results page of a league (:mod:`condgan.league`): protocol, scope, the table with each objective against the
reference, the papers' claims tested on the league's numbers, figures, invocations and commands.

One page writer for every league; what differs between datasets (the protocol's words, the table's columns, the sort
key, the claims, the figures) comes from the league's :class:`~condgan.league.League` spec.
"""

from __future__ import annotations

import os
from pathlib import Path

from .experiments import markdown_table
from .league import (METRICS, Budget, League, _min_p, adversarial_loss, budget_records, ema_decay, summarize,
                     versus)


def _ci(m: dict, digits: int) -> str:
    ci = m["ci"]
    if ci.n < 2:
        return f"{ci.mean:.{digits}f}"
    return f"{ci.mean:.{digits}f} [{ci.low:.{digits}f}, {ci.high:.{digits}f}]"


def _verdict_cell(league: League, s, ref, key: str) -> str:
    if ref is None or key not in s["metrics"] or key not in ref["metrics"]:
        return "–"
    word, c = versus(s["metrics"][key]["values"], ref["metrics"][key]["values"], league.columns[key][1])
    return f"{word} (p = {c.p:.3f} / {c.p_opposite:.3f})"


def claim_lines(league: League, summary: dict) -> list[str]:
    """Each of the league's :attr:`~League.claims` whose two objectives have records, tested on the league's
    numbers (:func:`~condgan.league.versus`)."""
    out, label, cols = [], league.label, league.columns
    for obj, rival, key, source in league.claims:
        if obj not in summary or rival not in summary:
            continue
        a, b = summary[obj]["metrics"].get(key), summary[rival]["metrics"].get(key)
        if a is None or b is None:
            continue
        word, c = versus(a["values"], b["values"], cols[key][1])
        agree = {"better": "agrees", "worse": "**disagrees**"}.get(word, "**not confirmed** at this n")
        d = max(2, cols[key][2])
        out.append(f"- {source}. Here on {cols[key][0]}: {label(obj)} {a['ci'].mean:.{d}f} vs "
                   f"{label(rival)} {b['ci'].mean:.{d}f}: {word} (one-sided Mann-Whitney p = {c.p:.3f}; "
                   f"opposite direction p = {c.p_opposite:.3f}; verdict: {c.verdict}) — {agree}.")
    return out


def image_protocol(league: League, b: Budget, card: dict) -> list[str]:
    """The protocol's first bullets for an image league: data, the shared base, budget, evaluator, metrics."""
    w = league.words
    return [
        f"- Data: {w['data']}",
        f"- Same for every objective (the preset `{league.base}`): {w['base']}, "
        f"one D step per G step, EMA of G with decay {ema_decay(b.steps)} (`{league.base}`' 0.999, shortened to a "
        "horizon of a tenth of the budget; the EMA generator is scored). An objective changes only the "
        "`[objective]` table (from its plugin's digits preset where there is one: its paper's adversarial loss and "
        "weights) and adds the networks it needs: ReACGAN's embedding and class proxies around the same trunk, "
        "UAC-GAN's projection statistics network on D's trunk (its Fashion-MNIST preset's setting)"
        + w.get("extra_nets", "") + ". AM-GAN and LabelGAN use predefined labels (the class is the input label).",
        f"- Budget: **{b.steps:,} steps per run, seeds {', '.join(map(str, b.seeds))}** "
        f"({len(b.objectives)} objectives, {len(b.objectives) * len(b.seeds)} runs).",
        f"- Evaluator: core's evaluation CNN for {w['evaluator']} (`EvalNet`, `train_evaluator`, "
        f"{card.get('epochs', '?')} epochs, seed 0), **test accuracy {card.get('test_accuracy', float('nan')):.4f}**, "
        f"SHA-256 `{card.get('sha256', '?')}`; FID/KID/coverage on its 64-d penultimate features.",
        f"- Metrics (registered in `condgan.evaluation`, via `evaluate_run`): {', '.join(METRICS)}, on "
        f"{b.n_eval} class-balanced generated samples per run against the test split; coverage with k = 5. "
        "Mean over seeds with a 95% percentile-bootstrap interval (`condgan.stats.bootstrap_mean_ci`, 10,000 "
        f"resamples). {w['per_class']}",
    ]


def write_page(page: Path, league: League, fig_rel: str, records: list[dict], b: Budget, quick: bool, card: dict,
               wall_s: float, curves: list[str], grids: dict[str, str], command: str, load: str = "",
               invocations: list[dict] = (), figures: list[str] = (), curve_note: str = "") -> Path:
    """The page at ``page`` from ``records``. ``curves`` (the FID-against-steps plots), ``grids`` (objective -> its
    sample grid) and ``figures`` (further markdown lines) are under ``fig_rel``."""
    from .stats import MIN_N_FOR_INTERVAL

    cols, label, key = league.columns, league.label, league.sort_key
    summary = summarize(records, b.objectives, cols)
    order = sorted(summary, key=lambda n: summary[n]["metrics"][key]["ci"].mean
                   if key in summary[n]["metrics"] else float("inf"))
    ref = summary.get(league.reference)
    n_min = min((len(s["seeds"]) for s in summary.values()), default=0)
    train_total = sum(r["train_s"] for r in records)
    header = ["rank", "objective", "seeds", *(f"{cols[k][0]} {'↓' if cols[k][1] else '↑'}" for k in cols),
              *(f"vs AC-GAN on {cols[k][0]}" for k in league.versus_keys), "train s / run"]
    rows = []
    for i, n in enumerate(order, 1):
        s = summary[n]
        cells = [_ci(s["metrics"][k], cols[k][2]) if k in s["metrics"] else "–" for k in cols]
        same = n == league.reference
        rows.append([i, label(n), len(s["seeds"]), *cells,
                     *("(reference)" if same else _verdict_cell(league, s, ref, k) for k in league.versus_keys),
                     f"{sum(s['train_s']) / len(s['train_s']):.0f}"])
    full = league.full
    title = "reduced run" if (b.steps < full.steps or len(b.seeds) < len(full.seeds)) and not quick else \
        ("quick check" if quick else f"full {league.words['short']} league")
    lines = [
        f"# {league.words['heading']}: every class-conditional objective under one protocol ({title})", "",
        f"Written by `{command}` (`condgan.league`, `core/league.py`) from the per-run records in "
        f"`{fig_rel}/runs/` (one JSON file per run).", "",
        "## Protocol", "",
        *league.protocol(league, b, card),
        f"- Against {label(league.reference)}: the claim \"better than AC-GAN\" tested over seeds by "
        "`condgan.stats.compare` (one-sided Mann-Whitney U, unpaired; the verdict rule of `condgan.stats.verdict`: "
        "better = p < 0.05 with no evidence against, worse = the opposite test p < 0.05 or, from 5 seeds per side, "
        "the bootstrap interval of the difference wholly on the wrong side). The cell shows both one-sided p-values "
        f"(better / worse). With n seeds per side the smallest possible p is 1 / C(2n, n): {_min_p(n_min):.3f} here"
        + (", **so no verdict can be reached at this n**" if n_min and _min_p(n_min) >= 0.05 else "") + ".",
        f"- Wall time of this invocation: {wall_s / 60:.1f} min (runs reused from an earlier invocation are not in "
        f"it); training time summed over all runs "
        f"{train_total / 60:.1f} min; {os.environ.get('CONDGAN_WORKERS', '2')} worker processes of one torch thread"
        + (f"; machine load {load}" if load else "") + ".",
        "",
        *scope_lines(league, b, quick, records)[:-1],
        *budget_lines(page.parent, quick),
        "",
        f"## Table (sorted by {league.words['sort']})", "",
        *markdown_table(header, rows), "",
        "Cells: mean [95% bootstrap interval over seeds]. Per-seed values are in the JSON records. "
        "\"train s / run\" follows the machine's load while each run trained (runs start in table-definition "
        "order), so it is not a cost comparison of the objectives.",
        *reading_lines(league, summary, order),
    ]
    if n_min and n_min < MIN_N_FOR_INTERVAL:
        lines += ["", f"With {n_min} seeds per objective the bootstrap intervals are narrow by construction "
                      f"(they are resamples of {n_min} values); read them as a spread, not as coverage."]
    claims = claim_lines(league, summary)
    losses = {}
    for n in order:
        losses.setdefault(adversarial_loss(n, league), []).append(label(n))
    lines += ["", f"Adversarial losses (each objective's own: {league.words['losses_from']}, its table's above, or its "
              "default): " + "; ".join(f"`{k}`: {', '.join(v)}" for k, v in losses.items()) + ". The loss is part of "
              "what is compared: at this budget the ranking may reflect how fast a loss trains as much as the "
              "objective."]
    across = across_lines(page.parent, quick)
    lines += ["", *across[:-1]] if across else []
    lines += ["", "## Where the ranking disagrees with the papers' claims", "",
              f"Each paper's headline claim against another member of the league, tested on this league's numbers "
              f"({league.words['claims']}).", "", *(claims or ["- No pair of a claim has finished runs yet."])]
    if claims:
        agree, disagree = sum("— agrees" in c for c in claims), sum("**disagrees**" in c for c in claims)
        lines += ["", f"In all: {agree} of {len(claims)} claims agree, {disagree} disagree (the opposite order is "
                      f"reliable here), {len(claims) - agree - disagree} not confirmed at this n."]
    if curves:
        lines += ["", "## FID against steps (mean over seeds, 95% bootstrap band)", "",
                  f"In-training FID on {b.curve_samples} samples of the EMA generator every "
                  f"{max(1, b.steps // b.curve_points)} steps (`run.eval_every`), drawn (log scale) by "
                  "`condgan.evaluation.plots.plot_runs` from the seed groups (`condgan.groups.group_curve`).", ""]
        lines += [f"![FID against steps]({fig_rel}/{c})" for c in curves]
        lines += ["", curve_note] if curve_note else []
    if grids:
        lines += ["", "## Samples (first seed of each objective, EMA generator; one column per class)", ""]
        for n in order:
            if n in grids:
                lines += [f"**{label(n)}**", "", f"![{label(n)} samples]({fig_rel}/{grids[n]})", ""]
    lines += list(figures)
    if invocations:
        lines += ["", "## Invocations (wall time)", "", "Every invocation that wrote this page, from "
                  f"`{fig_rel}/invocations.json`:", "",
                  *markdown_table(["start (UTC)", "command", "wall", "load"],
                                  [[i["start_utc"], f"`{i['command']}`", f"{i['wall_s'] / 60:.1f} min", i["load"]]
                                   for i in invocations])]
    lines += ["", "## Commands", "", "```", command,
              *(["condgan plot <runs>/<objective> --metric fid    # one objective's seed group, as above"]
                if curves else []), "```", ""]
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text("\n".join(lines))
    return page


def reading_lines(league: League, summary: dict, order: list[str]) -> list[str]:
    """Facts read off the table that change how a row is read: samples that ignore their label (class accuracy of
    the evaluator at most twice chance) have an intra-FID that measures that, whatever their FID."""
    k = league.words.get("classes", 10)
    blind = [n for n in order if "class_accuracy" in summary[n]["metrics"]
             and summary[n]["metrics"]["class_accuracy"]["ci"].mean <= 2.0 / k]
    if not blind:
        return []
    names = ", ".join(league.label(n) for n in blind)
    text = (f"Class accuracy at most twice chance ({2.0 / k:.1f}): {names}. These samples largely ignore their "
            "input label, so their intra-class FID is large even where their FID (class-blind) is not.")
    if "label_gan" in blind:
        text += (" For LabelGAN this is its design: its generator loss maximises the total real-class mass and names "
                 "no target class (AM-GAN paper, Eqs. 2-5), so under predefined labels nothing ties a sample to its "
                 "input label.")
    return ["", text]


def budget_lines(out_dir: Path, quick: bool) -> list[str]:
    """The issue's budget (the three leagues in <= 3 h on 2 cores) against what their invocations took: the wall
    times summed from each league's ``invocations.json`` under ``out_dir`` (finished runs are reused, so the sum is
    what the league cost, reruns included)."""
    import json

    if quick:
        return []
    walls = {}
    for name in OTHER_LEAGUES:
        log = out_dir / name / "invocations.json"
        if log.exists():
            walls[name] = sum(i["wall_s"] for i in json.loads(log.read_text())) / 60
    if not walls:
        return []
    cells = "; ".join(f"`{n}` {m:.0f} min" for n, m in walls.items())
    missing = [n for n in OTHER_LEAGUES if n not in walls]
    total = sum(walls.values())
    text = (f"- Budget (issue 18: the leagues together in <= 3 h on 2 cores): the invocations' wall times summed per "
            f"league, {cells}; in all {total:.0f} min"
            + (f" ({', '.join(missing)} not run)" if missing else "")
            + (", within" if total <= 180 else ", over") + " the 3 h. Wall times include the machine's other jobs "
            "(the load is in each league's invocation table), so they are upper bounds on a free machine.")
    return [text]


def across_lines(out_dir: Path, quick: bool) -> list[str]:
    """Every objective's standing in each league with records under ``out_dir`` (at that league's full budget):
    its rank by the league's sort key and its verdict against AC-GAN there (:func:`~condgan.league.versus`), then
    the objectives reliably better than AC-GAN in every league they ran in and those better in one, worse in
    another."""
    from .league import DIGITS, FASHION
    from .league_mog import MOG

    if quick:
        return []
    leagues, standing = [], {}
    for lg in (DIGITS, FASHION, MOG):
        b = lg.full
        summary = summarize(budget_records(out_dir / lg.name / "runs", b), b.objectives, lg.columns)
        key, ref = lg.sort_key, summary.get(lg.reference)
        if not summary or ref is None:
            continue
        lower = lg.columns[key][1]
        order = sorted(summary, key=lambda n: summary[n]["metrics"][key]["ci"].mean * (1 if lower else -1))
        leagues.append((lg, len(order)))
        for rank, n in enumerate(order, 1):
            word = "reference" if n == lg.reference else \
                versus(summary[n]["metrics"][key]["values"], ref["metrics"][key]["values"], lower)[0]
            standing.setdefault(n, {})[lg.name] = (rank, word)
    if len(leagues) < 2:
        return []
    label = {n: lg.label(n) for lg, _ in reversed(leagues) for n in lg.objectives}
    short = {"better": "better", "worse": "worse", "no reliable difference": "≈", "reference": "reference"}
    rows = [[label[n], *(f"{standing[n][lg.name][0]} / {size} ({short[standing[n][lg.name][1]]})"
                         if lg.name in standing[n] else "–" for lg, size in leagues)]
            for n in sorted(standing, key=lambda n: sum(standing[n][lg.name][0] / size for lg, size in leagues
                                                         if lg.name in standing[n]) / len(standing[n]))]
    header = ["objective", *(f"{lg.words['short']}: rank by {lg.columns[lg.sort_key][0]}" for lg, _ in leagues)]
    words = {n: {w for _, w in standing[n].values()} for n in standing}
    always = [label[n] for n in standing if words[n] == {"better"} and len(standing[n]) > 1]
    split = [label[n] for n in standing if {"better", "worse"} <= words[n]]
    return ["## Across the leagues", "",
            "Each objective's rank in each league (by that league's sort key; rows by the mean of rank / size) and its "
            "verdict against AC-GAN there (one-sided Mann-Whitney over seeds, as in the table); computed from the "
            "records of every league under this folder at its full budget.", "",
            *markdown_table(header, rows), "",
            f"Reliably better than AC-GAN in every league it ran in (two or more): {', '.join(always) or 'none'}. "
            f"Better in one league and worse in another: {', '.join(split) or 'none'}.", ""]


#: the leagues of issue 18: name -> what it covers (for the scope line that points to the others)
OTHER_LEAGUES = {"league": "8x8 digits, every objective", "league-fashion": "Fashion-MNIST 28x28",
                 "league-mog": "UAC-GAN's 1-D mixture of Gaussians"}


def scope_lines(league: League, b: Budget, quick: bool, records: list[dict]) -> list[str]:
    """What this page is against the issue's league, and the full league's cost at this run's measured speed."""
    workers = int(os.environ.get("CONDGAN_WORKERS", "2"))
    rate = [r["train_s"] / r["steps"] for r in records if r.get("steps")]
    full, short = league.full, league.words["short"]
    full_runs = len(full.objectives) * len(full.seeds)
    out = ["## Scope", ""]
    if quick:
        out.append(f"- A quick check of the machinery (a few steps, {len(b.objectives)} objectives): the numbers mean "
                   "nothing.")
    elif b.steps < full.steps or len(b.seeds) < len(full.seeds):
        out.append(f"- **A reduced run**: {b.steps:,} steps and {len(b.seeds)} seeds per objective instead of the full "
                   f"{short} league's {full.steps:,} steps and {len(full.seeds)} seeds (`condgan reproduce "
                   f"{league.name}`, no knobs), on a 2-core machine shared with other jobs. At this budget the GANs "
                   "are early in training; the ranking is of early training, and the full league is left for a later "
                   "session.")
    if rate:
        per_step = sum(rate) / len(rate)
        hours = full_runs / workers * full.steps * per_step / 3600
        during = ", with the in-training FID" if league.during is not None else ""
        out.append(f"- Measured here: {per_step:.3f} s per training step per worker (training time / steps, "
                   f"mean over runs{during}). At that speed the full {short} league ({full_runs} "
                   f"runs of {full.steps:,} steps, {workers} workers) would train for about {hours:.1f} h, plus "
                   "scoring; the issue's budget (<= 3 h for digits, Fashion-MNIST and the MoG together) needs a "
                   "machine at least as free as this one was.")
    others = [f"`condgan reproduce {n}` ({what}, `{n}.md`)" for n, what in OTHER_LEAGUES.items() if n != league.name]
    out += [f"- The other leagues of issue 18: {' and '.join(others)}.", ""]
    return out
