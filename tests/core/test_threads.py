"""torch's CPU thread count is process-wide and changes float reduction order, so condgan code that sets it restores
it: num_threads around a block, train() around a run with run.threads, train_evaluator(threads=) (tested with the
evaluator cards in tests/evaluation/test_evaluator_match.py)."""

import pytest
import torch

from condgan.threads import num_threads


def test_num_threads_sets_and_restores_also_on_error():
    before = torch.get_num_threads()
    other = 1 if before != 1 else 2
    with num_threads(other) as n:
        assert n == other == torch.get_num_threads()
    assert torch.get_num_threads() == before
    with pytest.raises(RuntimeError):
        with num_threads(other):
            raise RuntimeError("boom")
    assert torch.get_num_threads() == before
    for unset in (0, None):
        with num_threads(unset) as n:
            assert n == before == torch.get_num_threads()


def test_training_with_run_threads_leaves_the_count_as_it_found_it(tmp_path, components):
    from condgan.build import build_experiment
    from condgan.config import parse_config
    from condgan.testing import tiny_config
    from condgan.train import train

    before = torch.get_num_threads()
    other = 1 if before != 1 else 2
    raw = tiny_config("core.cgan", steps=2)
    raw["run"]["threads"] = other
    raw["run"]["eval_every"] = 1
    seen = []
    exp = build_experiment(parse_config(raw, components), components)
    train(exp, tmp_path / "run", log=lambda *a, **k: None,
          evaluate=lambda exp, g, step: seen.append(torch.get_num_threads()) or {})
    assert seen == [other, other]  # the run used run.threads ...
    assert torch.get_num_threads() == before  # ... and gave the previous count back
