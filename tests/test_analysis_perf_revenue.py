"""The columnar revenue flows and the batched funnels give the bits of their plain definitions: one
payment at a time (revenue) and one funnel at a time (funnel), compared with ``==``, not approx."""

import random

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from tests.analysis_helpers import small_graph
from tests.strategies import ecosystem_data

from ecosystem_graph.analysis import reference
from ecosystem_graph.analysis.funnel import Funnel, funnel
from ecosystem_graph.analysis.revenue import _hhi, _ranked, hhi, revenue_flows
from ecosystem_graph.errors import AnalysisError
from ecosystem_graph.generate import generate_model
from ecosystem_graph.graph import to_networkx
from ecosystem_graph.model import Ecosystem

plain_revenue = reference.revenue  # node flows, totals, groups and HHI adding the payments one by one


def assert_same_revenue(G):
    r = revenue_flows(G)
    expected = plain_revenue(G)
    got = r.to_dict()
    for key, value in expected.items():
        # repr: the same bits (== would let 0.0 and -0.0 pass), the same dict order
        assert repr(got[key]) == repr(value), key
    assert [n.to_dict() for n in r.nodes] == expected["nodes"]
    return r


@pytest.mark.parametrize("n,seed", [(30, 1), (400, 5), (3000, 2)])
def test_revenue_columns_equal_payment_by_payment(n, seed):
    assert_same_revenue(to_networkx(generate_model(n, seed)))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ecosystem_data())
def test_revenue_columns_equal_payment_by_payment_on_any_model(data):
    assert_same_revenue(to_networkx(Ecosystem.model_validate(data)))


def test_revenue_with_ties_zero_amounts_and_no_kind():
    G = nx.MultiDiGraph()
    for n, k in [("c", "core"), ("s1", "satellite"), ("s2", "satellite"), ("b", "segment"), ("a", "segment"),
                 ("p", "partner")]:
        G.add_node(n, kind=k, name=n)
    G.add_node("x")  # no kind at all
    for u, v, amount, stream in [("b", "s2", 5.0, "usage"), ("a", "s1", 5.0, None), ("p", "c", 0.0, "fee"),
                                 ("b", "c", 0.1, ""), ("a", "c", 0.2, "usage"), ("x", "c", 3.0, "usage"),
                                 ("c", "x", 1.0, "fee"), ("a", "s1", None, "usage")]:
        G.add_edge(u, v, type="PAYS", amount=amount, stream=stream)
    r = assert_same_revenue(G)
    assert r.revenue_by_offering == {"c": 0.30000000000000004, "s1": 5.0, "s2": 5.0}
    assert list(r.by_segment) == ["a", "b"]
    assert r.by_stream == {"usage": 5.2, "unspecified": 5.1, "fee": 0.0}


def test_revenue_without_payments():
    G = nx.MultiDiGraph()
    G.add_node("c", kind="core")
    r = assert_same_revenue(G)
    assert r.ecosystem_revenue == 0.0 and r.hhi == {"payers": None, "payees": None} and r.by_stream == {}


def test_ranked_orders_by_value_then_name_and_leaves_nan_to_python():
    names = ["d", "b", "a", "c", "e"]
    values = np.array([1.0, 2.0, 1.0, -0.0, 0.0])
    assert list(_ranked(names, np.arange(5), values).items()) == [("b", 2.0), ("a", 1.0), ("d", 1.0), ("c", -0.0),
                                                                  ("e", 0.0)]
    nan = np.array([1.0, float("nan"), 3.0])
    got = _ranked(["x", "y", "z"], np.arange(3), nan)
    plain = dict(sorted(zip(["x", "y", "z"], nan.tolist()), key=lambda kv: (-kv[1], kv[0])))
    assert repr(got) == repr(plain)
    assert _ranked([], np.zeros(0, dtype=np.intp), np.zeros(0)) == {}


def test_hhi_of_an_array_is_hhi_bit_for_bit():
    rng = random.Random(4)
    for _ in range(50):
        values = [rng.choice([0.0, rng.random() * 10 ** rng.randint(0, 9)]) for _ in range(rng.randint(0, 40))]
        assert repr(_hhi(np.array(values, dtype=float))) == repr(hhi(values))


def test_node_rows_are_built_once_from_the_columns():
    r = revenue_flows(small_graph())
    assert r._nodes is None  # nothing built yet: to_dict reads the columns
    as_columns = r.to_dict()
    rows = r.nodes
    assert r.nodes is rows and [n.to_dict() for n in rows] == as_columns["nodes"]
    assert r.to_dict() == as_columns
    r.nodes = rows[:2]
    assert r.flows is None and [n["id"] for n in r.to_dict()["nodes"]] == [n.id for n in rows[:2]]


# ------------------------------------------------------------------------------------------ funnel


plain_funnels = reference.funnels  # every funnel solved on its own with networkx's order


def random_funnel_graph(seed: int) -> nx.MultiDiGraph:
    """Chains, trees, diamonds, loops, parallel steps, several entries, a final stage first in model
    order, stages paying with and without a size: in shuffled model order."""
    rng = random.Random(seed)
    G = nx.MultiDiGraph()
    names = [f"s{i:03d}" for i in range(rng.randint(6, 60))]
    rng.shuffle(names)
    for n in names:
        size = rng.choice([None, 0, rng.randint(1, 10 ** 6)])
        G.add_node(n, kind="segment", name=n.upper(), **({} if size is None else {"size": size}))
    G.add_node("shop", kind="core", name="Shop")
    i = 0
    while i < len(names) - 1:
        block = names[i:i + rng.randint(2, 6)]
        i += len(block)
        shape = rng.choice(["chain", "chain", "random", "loop"])
        pairs = list(zip(block, block[1:]))
        if shape == "random":
            pairs += [(rng.choice(block), rng.choice(block)) for _ in range(rng.randint(0, 4))]
            pairs = [(u, v) for u, v in pairs if u != v]
        elif shape == "loop":
            pairs.append((block[-1], block[0]))
        for u, v in pairs:
            G.add_edge(u, v, type="CONVERTS_TO", rate=rng.choice([0.5, round(rng.uniform(0.0, 0.45), 3)]))
        for s in block:
            if rng.random() < 0.4:
                G.add_edge(s, "shop", type="PAYS", amount=rng.choice([0.0, rng.uniform(1, 1000)]))
    return G


def without_levers(funnels):
    """The funnel dicts without the levers, which test_analysis_funnel_levers.py checks against re-solving
    each chain with the rate changed (to float precision, not to the bit); the columns' and the Funnel
    objects' levers are compared with each other here."""
    levers = [(f.pop("biggest_lever"), f.pop("levers")) for f in funnels]
    return funnels, levers


def assert_same_funnels(G):
    res = funnel(G)
    expected = plain_funnels(G)
    # to_dict straight from the columns, then from the Funnel objects built on first access
    columns, column_levers = without_levers(res.to_dict()["funnels"])
    assert repr(columns) == repr(expected)
    assert all(isinstance(f, Funnel) for f in res.funnels) and res.funnels is res.funnels
    objects, object_levers = without_levers([f.to_dict() for f in res.funnels])
    assert repr(objects) == repr(expected) and repr(object_levers) == repr(column_levers)
    assert repr(without_levers(res.to_dict()["funnels"])[0]) == repr(expected)
    for f in res.funnels:
        if f.bottleneck is not None:
            assert any(step is f.bottleneck for step in f.steps)
    return res


@pytest.mark.parametrize("seed", range(40))
def test_batched_funnels_equal_one_at_a_time(seed):
    assert_same_funnels(random_funnel_graph(seed))


@pytest.mark.parametrize("n,seed", [(200, 3), (3000, 2)])
def test_generated_funnels_equal_one_at_a_time(n, seed):
    res = assert_same_funnels(to_networkx(generate_model(n, seed)))
    assert len(res.funnels) > 3


def test_entry_that_is_a_final_stage_of_a_loop():
    G = nx.MultiDiGraph()
    for n, size in [("c", 7), ("a", 100), ("b", 10)]:  # c first in model order, c final, a <-> b loop
        G.add_node(n, kind="segment", name=n, size=size)
    G.add_edge("a", "b", type="CONVERTS_TO", rate=0.5)
    G.add_edge("b", "a", type="CONVERTS_TO", rate=0.5)
    G.add_edge("b", "c", type="CONVERTS_TO", rate=0.25)
    G.add_edge("a", "b", type="CONVERTS_TO", rate=0.1)  # a parallel step
    f = assert_same_funnels(G).funnels[0]
    assert f.entry == "c" and f.conversion == 1.0 and [s.id for s in f.stages] == ["c", "a", "b"]


def test_the_first_closed_loop_in_funnel_order_is_named():
    G = nx.MultiDiGraph()
    for n in ["x", "a", "b", "p", "q", "r"]:
        G.add_node(n, kind="segment", name=n, size=1)
    for u, v in [("p", "q"), ("q", "r"), ("r", "p"), ("a", "b"), ("b", "a")]:  # two layouts, both closed
        G.add_edge(u, v, type="CONVERTS_TO", rate=1.0)
    G.add_edge("x", "a", type="CONVERTS_TO", rate=0.5)
    with pytest.raises(AnalysisError, match="through 'x' loops"):  # its first transient stage
        funnel(G)
