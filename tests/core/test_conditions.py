"""ConditionSpec: encoding of single labels, groups of mutually exclusive attributes, binary attributes [a, not-a]."""

import pytest
import torch
from hypothesis import given

from condgan.conditions import ConditionSpec
from condgan.errors import DataError
from condgan.testing import strategies as cst


def test_single_label_is_one_hot():
    spec = ConditionSpec.single(4)
    c = spec.encode(torch.tensor([3, 0]))
    assert c.tolist() == [[0, 0, 0, 1], [1, 0, 0, 0]]
    assert spec.num_conditions == 4 and spec.is_single


def test_binary_attributes_encode_as_a_not_a():
    spec = ConditionSpec.binary(("smile", "glasses"))
    c = spec.encode(torch.tensor([[0, 1], [1, 0]]))  # value 0 = attribute holds
    assert c.tolist() == [[1, 0, 0, 1], [0, 1, 1, 0]]
    assert spec.num_combinations == 4
    assert spec.combination_labels()[0] == "smile, glasses"


@given(cst.conditions())
def test_encode_decode_roundtrip(spec_c):
    spec, c = spec_c
    labels = spec.decode(c)
    assert torch.equal(spec.encode(labels), c)
    for s in spec.slices:  # exactly one active entry per group
        assert torch.equal(c[:, s].sum(1), torch.ones(len(c)))


def test_label_outside_group_is_named():
    with pytest.raises(DataError, match=r"label 7 in group 'class' is outside the declared range 0\.\.4"):
        ConditionSpec.single(5).encode(torch.tensor([1, 7]))


def test_all_combinations_first_group_slowest():
    spec = ConditionSpec.binary(("a", "b"))
    assert spec.decode(spec.all_combinations()).tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]


def test_dict_roundtrip():
    spec = ConditionSpec.binary(("a", "b"))
    assert ConditionSpec.from_dict(spec.to_dict()) == spec
