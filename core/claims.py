"""Claims tables: each paper's claims judged over seeds from the per-run JSON files (issue 16).

A plugin lists its claims in a module ``<plugin package>.claims`` holding ``PAGES``, a sequence of
:class:`ClaimsPage` (one per results page). Each :class:`Claim` names the paper's figure, how to read each side's
per-seed values (:class:`Side`), the claimed direction and whether runs are paired by seed.
``condgan claims [plugin]`` evaluates them (:mod:`condgan.stats`) and rewrites the block between
``<!-- claims:begin -->`` and ``<!-- claims:end -->`` at the top of each page, so a verdict is never written by hand.

Like with like: a claim's two sides must come from the same setting (labeling mode, budget, evaluator); a claim
about the paper's dynamic-labeling table reads only dynamic-labeling runs.
"""

from __future__ import annotations

import glob
import importlib
import importlib.util
import json
import math
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence, Union

import attrs

from . import stats
from .errors import CondganError

BEGIN = "<!-- claims:begin -->"
END = "<!-- claims:end -->"

#: how to read one number from a run's JSON: a key path ("results.dynamic.AM-GAN.am_score", integers index lists,
#: -1 is the last item; a tuple when a key holds a dot) or a function of the record
Value = Union[str, Sequence[Union[str, int]], Callable[[Any], float]]


def lookup(record: Any, value: Value) -> float:
    """The number ``value`` names in ``record`` (see :data:`Value`)."""
    if callable(value):
        return float(value(record))
    keys = value.split(".") if isinstance(value, str) else list(value)
    node = record
    for key in keys:
        if isinstance(node, list):
            node = node[int(key)]
        else:
            node = node[key]
    return float(node)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise CondganError(f"claims: no file {path}") from None


def _matches(record: Mapping[str, Any], where: Mapping[str, Any]) -> bool:
    return all(record.get(k) == v for k, v in where.items())


@attrs.frozen
class Side:
    """One side of a claim: a label and a reader ``read(results_dir) -> {seed: value}``.

    Build it with one of the constructors, each reading paths relative to the results folder (``docs/results``):
    :meth:`runs` (one JSON file per run), :meth:`records` (one file holding a list of run records),
    :meth:`seed_files` (one file per seed, the seed given by the caller)."""

    label: str
    read: Callable[[Path], dict[int, float]] = attrs.field(repr=False)

    @classmethod
    def runs(cls, label: str, pattern: str, value: Value, *, seed: Value = "seed") -> Side:
        """One JSON file per run: every file matching the glob ``pattern``, its seed at the key path ``seed``."""

        def read(root: Path) -> dict[int, float]:
            out = {}
            for name in sorted(glob.glob(str(root / pattern))):
                record = _read_json(Path(name))
                out[int(lookup(record, seed))] = lookup(record, value)
            return out

        return cls(label, read)

    @classmethod
    def records(cls, label: str, file: str, value: Value, *, where: Mapping[str, Any] | None = None,
                seed: Value = "seed") -> Side:
        """One JSON file holding a list of run records; those whose keys equal ``where`` are this side's."""
        where = dict(where or {})

        def read(root: Path) -> dict[int, float]:
            rows = [r for r in _read_json(root / file) if _matches(r, where)]
            return {int(lookup(r, seed)): lookup(r, value) for r in rows}

        return cls(label, read)

    @classmethod
    def seed_files(cls, label: str, files: Mapping[int, str | tuple[str, Value]], value: Value | None = None) -> Side:
        """One JSON file per seed, ``{seed: path}``, for results files that do not record their seed; a file whose
        layout differs gives its own key path, ``{seed: (path, value)}``."""
        where = {seed: (f, value) if isinstance(f, str) else f for seed, f in files.items()}
        if any(v is None for _, v in where.values()):
            raise ValueError("Side.seed_files: give `value`, or a (path, value) pair for every seed")

        def read(root: Path) -> dict[int, float]:
            return {seed: lookup(_read_json(root / f), v) for seed, (f, v) in sorted(where.items())}

        return cls(label, read)


@attrs.frozen
class Claim:
    """A paper's claim as a one-sided comparison over seeds.

    ``ours`` lies ``direction`` (``"less"`` / ``"greater"``) of ``versus``: another side (times ``factor``, e.g.
    ``factor=10`` for "more than ten times") or a constant. ``paired``: the two sides' runs share each seed's
    randomness or evaluator (then only the seeds both have are used, with the Wilcoxon signed-rank test; otherwise
    Mann-Whitney U). ``paper`` is the paper's figure, as the table shows it."""

    text: str
    paper: str
    ours: Side
    versus: Union[Side, float]
    direction: str = attrs.field(validator=attrs.validators.in_(stats.DIRECTIONS))
    paired: bool = False
    factor: float = 1.0


@attrs.frozen
class ClaimResult:
    """A claim with the per-seed values read for each side and the :class:`condgan.stats.Comparison`."""

    claim: Claim
    ours: dict[int, float]
    versus: Union[dict[int, float], float]
    comparison: stats.Comparison


def evaluate(claim: Claim, root: Path) -> ClaimResult:
    """Read both sides under ``root`` and compare them (:func:`condgan.stats.compare`)."""
    ours = claim.ours.read(Path(root))
    if not ours:
        raise CondganError(f"claims: no runs found for {claim.ours.label!r} of the claim {claim.text!r} "
                           f"under {root}")
    if isinstance(claim.versus, Side):
        versus = claim.versus.read(Path(root))
        if not versus:
            raise CondganError(f"claims: no runs found for {claim.versus.label!r} of the claim {claim.text!r} "
                               f"under {root}")
        if claim.paired:
            seeds = sorted(set(ours) & set(versus))
            ours, versus = {s: ours[s] for s in seeds}, {s: versus[s] for s in seeds}
        comparison = stats.compare(list(ours.values()), list(versus.values()), claim.direction,
                                   paired=claim.paired, factor=claim.factor)
    else:
        versus = float(claim.versus)
        comparison = stats.compare(list(ours.values()), versus, claim.direction)
    return ClaimResult(claim, ours, versus, comparison)


# -- rendering -----------------------------------------------------------------------------------------------------
def fmt(x: float) -> str:
    """A number for the table: 3 decimals below 1, 2 below 100, 1 above."""
    if math.isnan(x):
        return "-"
    a = abs(x)
    return f"{x:.1f}" if a >= 100 else f"{x:.2f}" if a >= 1 else f"{x:.3f}"


def fmt_p(p: float) -> str:
    return "-" if math.isnan(p) else f"{p:.3f}" if p >= 0.001 else f"{p:.1e}"


def fmt_interval(iv: stats.Interval) -> str:
    """``mean [low, high], n = k``; a single value has no interval."""
    if iv.n < 2:
        return f"{fmt(iv.mean)}, n = {iv.n}"
    return f"{fmt(iv.mean)} [{fmt(iv.low)}, {fmt(iv.high)}], n = {iv.n}"


_SIGN = {"less": "<", "greater": ">"}


def _cells(result: ClaimResult) -> list[str]:
    claim, comp = result.claim, result.comparison
    ours = f"{claim.ours.label}: {fmt_interval(stats.bootstrap_mean_ci(list(result.ours.values())))}"
    if isinstance(claim.versus, Side):
        scale = f"{claim.factor:g} × " if claim.factor != 1 else ""
        ours += f"<br>{claim.versus.label}: {fmt_interval(stats.bootstrap_mean_ci(list(result.versus.values())))}"
        ours += f"<br>difference (first − {scale}second): {fmt_interval(comp.effect)}"
        h1 = f"first {_SIGN[claim.direction]} {scale}second"
    else:
        h1 = f"values {_SIGN[claim.direction]} {fmt(result.versus)}"
    test = f"{comp.test}, H1: {h1}<br>p = {fmt_p(comp.p)} (opposite direction: p = {fmt_p(comp.p_opposite)})"
    return [claim.text, claim.paper, ours, test, f"**{comp.verdict}**"]


def render_table(results: Sequence[ClaimResult]) -> str:
    """One markdown table: claim | the paper's figure | ours | one-sided test | verdict."""
    rows = ["| claim | the paper | ours: mean [95% bootstrap interval], n seeds | one-sided test | verdict |",
            "|---|---|---|---|---|"]
    for r in results:
        rows.append("| " + " | ".join(c.replace("|", "\\|") for c in _cells(r)) + " |")
    return "\n".join(rows)


RULE = (f"Ours: the mean over seeds with a {stats.LEVEL:.0%} percentile-bootstrap interval ({stats.RESAMPLES:,} "
        f"resamples, seeded). Verdict (`condgan.stats.verdict`): **holds** when the one-sided test in the claimed "
        f"direction gives p < {stats.ALPHA}; **does not hold** when the test in the opposite direction gives "
        f"p < {stats.ALPHA} or, from {stats.MIN_N_FOR_INTERVAL} seeds per side on, the difference's whole interval "
        f"lies on the wrong side; otherwise **inconclusive at this n**. The smallest one-sided p-value is "
        f"1 / C(n + m, n) for Mann-Whitney (0.05 with 3 seeds per side, 0.029 with 3 and 4) and 2^-n for the "
        f"signed-rank test (0.062 with 4 pairs, 0.031 with 5), so fewer seeds can only be inconclusive; below 5 "
        f"seeds a percentile interval is also too narrow to trust (with 2 seeds it spans the two values).")


@attrs.frozen
class ClaimsPage:
    """The claims of one results page: ``page`` is its path relative to the results folder; ``note`` is printed
    under the table (what the seeds and budgets are, what the runs cannot show)."""

    page: str
    claims: tuple[Claim, ...] = attrs.field(converter=tuple)
    note: str = ""


def render_block(page: ClaimsPage, results: Sequence[ClaimResult], command: str, source: str) -> str:
    """The block between the markers: a heading, how it was made (``command``, and ``source``: the module that
    lists the claims), the rule, the table, the page's note."""
    counts = {v: sum(r.comparison.verdict == v for r in results)
              for v in (stats.HOLDS, stats.DOES_NOT_HOLD, stats.INCONCLUSIVE)}
    summary = ", ".join(f"{n} {v}" for v, n in counts.items() if n)
    parts = [BEGIN, "## Claims and verdicts", "",
             f"Computed by `{command}` from the per-run JSON files that `{source}` names; not edited by hand. "
             f"{len(results)} claims: {summary}.", "", RULE, "",
             render_table(results)]
    if page.note:
        parts += ["", page.note]
    return "\n".join(parts + [END])


def rewrite_block(text: str, block: str) -> str:
    """``text`` with its claims block replaced by ``block``; a page without one gets it after its title line."""
    start, end = text.find(BEGIN), text.find(END)
    if start >= 0 and end > start:
        return text[:start] + block + text[end + len(END):]
    if start >= 0 or end >= 0:
        raise CondganError(f"claims: a page has one of {BEGIN} / {END} without the other")
    lines = text.splitlines(keepends=True)
    at = next((i + 1 for i, line in enumerate(lines) if line.startswith("# ")), 0)
    head, tail = "".join(lines[:at]), "".join(lines[at:]).lstrip("\n")
    return head + ("\n" if head else "") + block + "\n\n" + tail


def update_page(page: ClaimsPage, root: Path, command: str, source: str, *,
                write: bool = True) -> tuple[list[ClaimResult], bool]:
    """Evaluate ``page``'s claims from the JSON under ``root`` and rewrite its block (unless ``write`` is false).
    Returns the results and whether the page's text changed (or would change)."""
    results = [evaluate(c, root) for c in page.claims]
    path = Path(root) / page.page
    old = path.read_text()
    new = rewrite_block(old, render_block(page, results, command, source))
    if write and new != old:
        path.write_text(new)
    return results, new != old


def find_pages(plugin: str | None = None) -> dict[str, tuple[str, tuple[ClaimsPage, ...]]]:
    """Plugin name -> (its claims module's name, the module's ``PAGES``), for active plugins with a ``claims``
    module (a plugin package's sub-module ``claims``)."""
    from .errors import ConfigError
    from .plugin_manager import get_plugin_manager

    infos = {i.name: i for i in get_plugin_manager().plugins() if i.status == "active"}
    if plugin is not None and plugin not in infos:
        from .errors import did_you_mean

        raise ConfigError([("PLUGIN", f"no active plugin '{plugin}'.{did_you_mean(plugin, list(infos))}")])
    found = {}
    for name, info in sorted(infos.items()):
        if plugin is not None and name != plugin:
            continue
        module = info.module.split(":")[0]  # an entry point may name "package.module:object"
        try:
            spec = importlib.util.find_spec(f"{module}.claims")
        except ModuleNotFoundError:  # the plugin is a module, not a package
            spec = None
        if spec is not None:
            found[name] = (f"{module}.claims", tuple(importlib.import_module(f"{module}.claims").PAGES))
    if plugin is not None and not found:
        raise ConfigError([("PLUGIN", f"plugin '{plugin}' has no claims module ({infos[plugin].module}.claims)")])
    return found
