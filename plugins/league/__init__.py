"""Plugin ``league``: ``condgan reproduce league``, every class-conditional objective condgan has under one protocol
(issue 18, item 2). It registers a reproduction only; the arms are other plugins' objectives, named by their
registered names and read through the public API (``condgan.experiments``, ``condgan.evaluation``,
``condgan.stats``), so the league imports no plugin's code and lists whatever objectives are installed."""

from __future__ import annotations

from condgan import hookimpl


@hookimpl
def register_reproductions(register):
    from .reproduce import reproduce_league

    register("league", reproduce_league,
             description="every class-conditional objective on 8x8 digits, same networks, budget and evaluator; "
                         "FID, intra-FID, KID, class accuracy, coverage over seeds, each against AC-GAN")
