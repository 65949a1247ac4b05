"""Property: model -> database -> model is lossless on generated models (unicode, lists, floats, ints, gaps)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecosystem_graph.model import Ecosystem
from ecosystem_graph.store.neo4j import connect

from .strategies import attributes, ecosystem_data, names


@st.composite
def store_models(draw) -> Ecosystem:
    """The shared valid-data strategy, plus what it leaves out: relationship ids and attributes, money_unit,
    big and negative integers and extreme floats in attributes."""
    data = draw(ecosystem_data(ranges=True))
    for n, rel in enumerate(data["relationships"]):
        if draw(st.booleans()):
            rel["id"] = f"r{n}"
        if draw(st.booleans()):
            rel["attributes"] = draw(attributes)
    if draw(st.booleans()):
        data["money_unit"] = draw(names)
    if data["nodes"] and draw(st.booleans()):
        data["nodes"][0]["attributes"] = {
            "big": draw(st.integers(-(2**63), 2**63 - 1)), "huge": draw(st.integers(2**64, 2**70)),
            "tiny": draw(st.floats(min_value=-1e-300, max_value=1e-300, allow_nan=False)),
            "floats": draw(st.lists(st.floats(allow_nan=False, allow_infinity=False), max_size=3)),
            "empty": [], "nothing": None, "text": draw(names)}
    return Ecosystem.model_validate(data)


@pytest.fixture(scope="module")
def store(bolt_server):
    with connect(bolt_server.uri, bolt_server.user, bolt_server.password, bolt_server.database) as s:
        yield s
        if s.exists("roundtrip"):
            s.drop("roundtrip")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(model=store_models(), batch_size=st.sampled_from([1, 4, 5000]))
def test_push_then_pull_gives_back_the_same_model(store, model, batch_size):
    store.push(model, "roundtrip", batch_size=batch_size)
    pulled = store.pull("roundtrip")
    assert pulled.to_data() == model.to_data()
    # the same types too (an int stays an int, a float a float)
    assert repr(pulled.to_data()) == repr(model.to_data())
