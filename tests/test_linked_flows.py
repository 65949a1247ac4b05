"""Linked flows: a PAYS that is a share of another PAYS (share_of, share), its derived amount everywhere."""

from __future__ import annotations

import json
import math

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from neo4j import GraphDatabase

from ecosystem_graph.analysis import analyze
from ecosystem_graph.analysis.diff import diff_models
from ecosystem_graph.analysis.scenario import apply_changes, whatif
from ecosystem_graph.cli import cli
from ecosystem_graph.errors import UsageError
from ecosystem_graph.fileio import dumps_model, parse_model_text
from ecosystem_graph.graph import from_networkx, linked_to, resolve_linked_amounts, to_networkx
from ecosystem_graph.interop import export_model, import_source
from ecosystem_graph.interop.cypher import split_script
from ecosystem_graph.model import Ecosystem, json_schema
from ecosystem_graph.store.neo4j import connect

from .strategies import linked_ecosystem_data
from .test_interop_export import close
from .test_validation import HEAD, errors_of

# Subscribers pay the app store 100; the store pays 85% of that on to the satellite (payout = 85);
# the satellite pays 10% of the payout on to a partner (cut = 0.1 x 85 = 8.5).
CHAIN = {
    "name": "Chain", "currency": "EUR", "period": "2024",
    "nodes": [
        {"id": "subscriber", "kind": "segment", "name": "Subscribers"},
        {"id": "store", "kind": "channel", "name": "App store"},
        {"id": "plus", "kind": "satellite", "name": "Plus"},
        {"id": "partner", "kind": "partner", "name": "Partner"},
        {"id": "news", "kind": "core", "name": "News"},
    ],
    "relationships": [
        {"from": "subscriber", "to": "plus", "type": "USES", "share": 0.5},
        # the cut comes first in the file: share_of may name a flow further down
        {"id": "cut", "from": "plus", "to": "partner", "type": "PAYS", "share_of": "payout", "share": 0.1,
         "stream": "commission"},
        {"id": "subs", "from": "subscriber", "to": "store", "type": "PAYS", "amount": 100,
         "stream": "subscription"},
        {"id": "payout", "from": "store", "to": "plus", "type": "PAYS", "share_of": "subs", "share": 0.85},
        {"id": "ads", "from": "partner", "to": "news", "type": "PAYS", "amount": 40},
        {"from": "plus", "to": "news", "type": "FEEDS"},
    ],
}


def chain() -> Ecosystem:
    return Ecosystem.model_validate(json.loads(json.dumps(CHAIN)))


def rel(model: Ecosystem, rid: str):
    [r] = [r for r in model.relationships if r.id == rid]
    return r


# ------------------------------------------------------------------------------------------ the model


def test_chain_amounts_are_derived_by_hand():
    m = chain()
    assert rel(m, "subs").amount == 100.0 and not rel(m, "subs").is_linked
    assert rel(m, "payout").amount == pytest.approx(85.0)  # 0.85 x 100
    assert rel(m, "cut").amount == pytest.approx(8.5)  # 0.1 x 85
    assert rel(m, "payout").is_linked and rel(m, "cut").is_linked


def test_files_keep_share_of_and_share_but_not_the_derived_amount():
    data = chain().to_data()
    assert data["relationships"][3] == {"id": "payout", "from": "store", "to": "plus", "type": "PAYS",
                                        "share_of": "subs", "share": 0.85}
    for fmt in ("yaml", "json"):
        text = dumps_model(chain(), fmt)
        back = parse_model_text(text.encode(), f"m.{fmt}", fmt).model
        assert back == chain()
        assert rel(back, "cut").amount == pytest.approx(8.5)


def test_graph_edges_carry_derived_amount_share_of_and_share():
    G = to_networkx(chain())
    assert G.edges["store", "plus", "payout"] == {"id": "payout", "type": "PAYS", "share_of": "subs",
                                                  "share": 0.85, "amount": pytest.approx(85.0)}
    assert G.edges["plus", "partner", "cut"]["amount"] == pytest.approx(8.5)
    back = from_networkx(G)
    assert rel(back, "cut").amount == pytest.approx(8.5)
    assert sorted(json.dumps(r, sort_keys=True) for r in back.to_data()["relationships"]) == \
        sorted(json.dumps(r, sort_keys=True) for r in chain().to_data()["relationships"])
    # an amount written on a linked edge by hand is not believed: the flow's share is
    G.edges["store", "plus", "payout"]["amount"] = 1.0
    assert rel(from_networkx(G), "payout").amount == pytest.approx(85.0)


def test_resolve_linked_amounts_follows_changed_flows_and_reports_orphans():
    G = to_networkx(chain())
    G.edges["subscriber", "store", "subs"]["amount"] = 200.0
    assert resolve_linked_amounts(G) == []
    assert G.edges["store", "plus", "payout"]["amount"] == pytest.approx(170.0)  # 0.85 x 200
    assert G.edges["plus", "partner", "cut"]["amount"] == pytest.approx(17.0)  # 0.1 x 170
    assert linked_to(G, ["subs"]) == [("store", "plus", "payout"), ("plus", "partner", "cut")]
    G.remove_edge("subscriber", "store", "subs")
    assert sorted(resolve_linked_amounts(G)) == [("plus", "partner", "cut"), ("store", "plus", "payout")]
    assert "amount" not in G.edges["store", "plus", "payout"]


def test_json_schema_describes_share_of_and_share():
    pays = json_schema()["$defs"]["Pays"]["properties"]
    assert pays["share_of"]["anyOf"][0] == {"maxLength": 200, "pattern": r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
                                            "type": "string"}
    # a number 0..1, or a range of such numbers
    assert pays["share"]["anyOf"][0] == {"oneOf": [{"maximum": 1, "minimum": 0, "type": "number"},
                                                   {"$ref": "#/$defs/ShareRange"}]}
    out = CliRunner().invoke(cli, ["schema"])
    assert out.exit_code == 0 and '"share_of"' in out.output


# ------------------------------------------------------------------------------------------ validation

LINKED_HEAD = HEAD.replace("relationships:\n  - from: fans", "relationships:\n  - id: sales\n    from: fans")
# HEAD's PAYS gets the id 'sales' (line 16); added relationships start at line 21 (relationships[1]).


@pytest.mark.parametrize("line, key, message", [
    ("  - {id: p, from: shop, to: prime-video, type: PAYS, share_of: sales, share: 0.5, amount: 3}",
     "share_of", "share_of 'sales' together with amount in relationships[1]: a linked flow's amount is derived "
              "from the flow it is a share of; remove amount, or remove share_of and share"),
    ("  - {id: p, from: shop, to: prime-video, type: PAYS, share_of: sales, share: 0.5, count: 3, price: 2}",
     "share_of", "share_of 'sales' together with count and price in relationships[1]: a linked flow's amount is "
              "derived from the flow it is a share of; remove count and price, or remove share_of and share"),
    ("  - {id: p, from: shop, to: prime-video, type: PAYS, share_of: sales}",
     "share_of", "share_of 'sales' without share in relationships[1]: give the part of that flow paid on, "
              "e.g. share: 0.85"),
    ("  - {id: p, from: shop, to: prime-video, type: PAYS, share: 0.5}",
     "share", "share without share_of in relationships[1]: give the id of the PAYS this flow is a share of, "
            "e.g. share_of: subscriptions"),
    ("  - {id: p, from: shop, to: prime-video, type: PAYS, share_of: sales, share: 1.5}",
     "share", "relationships[1].share is 1.5; must be between 0 and 1"),
    ("  - {id: p, from: shop, to: prime-video, type: PAYS, share_of: sales, share: -0.1}",
     "share", "relationships[1].share is -0.1; must be between 0 and 1"),
    ("  - {id: p, from: shop, to: prime-video, type: PAYS, share_of: sale, share: 0.5}",
     "share_of", "unknown relationship 'sale' in relationships[1].share_of; did you mean 'sales'?"),
    ("  - {id: p, from: shop, to: prime-video, type: PAYS, share_of: p, share: 0.5}",
     "share_of", "share_of cycle in relationships[1]: 'p' -> 'p'; a linked flow cannot be (through others) a share "
           "of itself"),
])
def test_each_linked_flow_error_is_located(tmp_path, line, key, message):
    # located at the value of share_of / share on the added line 21
    text = LINKED_HEAD + line + "\n"
    col = line.index(f"{key}: ") + len(key) + 3
    assert errors_of(tmp_path, text) == [f"{tmp_path}/m.yaml:21:{col}: {message}"]


def test_share_of_a_relationship_that_is_not_pays_is_located(tmp_path):
    text = (LINKED_HEAD + "  - {id: watch, from: fans, to: prime-video, type: USES}\n"
            + "  - {id: p, from: shop, to: prime-video, type: PAYS, share_of: watch, share: 0.5}\n")
    assert errors_of(tmp_path, text) == [
        f"{tmp_path}/m.yaml:22:{text.splitlines()[21].index('watch') + 1}: share_of 'watch' in relationships[2] "
        f"names a USES relationship (relationships[1]); a linked flow is a share of a PAYS"]


def test_a_longer_cycle_is_one_error_at_its_first_flow(tmp_path):
    text = (LINKED_HEAD + "  - {id: a, from: shop, to: prime-video, type: PAYS, share_of: b, share: 0.5}\n"
            + "  - {id: b, from: prime-video, to: shop, type: PAYS, share_of: c, share: 0.5}\n"
            + "  - {id: c, from: shop, to: fans, type: PAYS, share_of: a, share: 0.5}\n"
            + "  - {id: d, from: shop, to: fans, type: PAYS, share_of: c, share: 0.5}\n")
    col = text.splitlines()[20].index("share_of: b") + len("share_of: ") + 1
    assert errors_of(tmp_path, text) == [
        f"{tmp_path}/m.yaml:21:{col}: share_of cycle in relationships[1]: 'a' -> 'b' -> 'c' -> 'a'; a linked "
        f"flow cannot be (through others) a share of itself"]


# ------------------------------------------------------------------------------------------ what-if, diff


def _fig(s, section, item, figure):
    [f] = [f for f in s.comparison.figures if (f.section, f.item, f.figure) == (section, item, figure)]
    return f


def test_scaling_the_subscriber_gives_the_store_15_percent_of_the_increase():
    s = whatif(to_networkx(chain()), scale={"subscriber": 1.1}, only="revenue")
    # subs 100 -> 110 (+10); payout 0.85 x 110 = 93.5; the store's net 100 - 85 = 15 -> 110 - 93.5 = 16.5:
    # +1.5 = 15% of the +10. Plus: 85 - 8.5 = 76.5 -> 93.5 - 9.35 = 84.15 (+7.65 = 76.5% of it).
    store = _fig(s, "revenue", "store", "net")
    assert (store.before, store.after) == (pytest.approx(15.0), pytest.approx(16.5))
    assert store.change == pytest.approx(0.15 * 10)
    assert _fig(s, "revenue", "plus", "net").after == pytest.approx(84.15)
    assert _fig(s, "revenue", "partner", "inflow").after == pytest.approx(9.35)
    assert s.changes == ["scaled the 1 payment(s) of node 'subscriber' by 1.1"]


def test_scaling_a_node_scales_only_its_own_payments_and_linked_ones_follow():
    H, changes = apply_changes(to_networkx(chain()), scale={"store": 2.0})
    # the store's own payments: subs (in) only; payout is a share of subs, so 0.85 x 200 = 170, not 2 x 85 x 2
    assert changes == ["scaled the 1 payment(s) of node 'store' by 2"]
    assert H.edges["subscriber", "store", "subs"]["amount"] == 200.0
    assert H.edges["store", "plus", "payout"]["amount"] == pytest.approx(170.0)
    assert H.edges["plus", "partner", "cut"]["amount"] == pytest.approx(17.0)


def test_scaling_a_linked_flow_is_refused_with_what_to_do():
    with pytest.raises(UsageError) as info:
        apply_changes(to_networkx(chain()), scale={"payout": 1.1})
    assert str(info.value) == ("--scale 'payout': this PAYS is a linked flow, share 0.85 of 'subs'; scale 'subs' "
                               "(the flow it is a share of) or change its share in the model")


def test_scaling_the_flow_a_chain_hangs_on_moves_the_chain():
    H, _ = apply_changes(to_networkx(chain()), scale={"subs": 0.5})
    assert H.edges["store", "plus", "payout"]["amount"] == pytest.approx(42.5)  # 0.85 x 50
    assert H.edges["plus", "partner", "cut"]["amount"] == pytest.approx(4.25)  # 0.1 x 42.5


def test_removing_a_flow_stops_its_chain_and_lists_it():
    G = to_networkx(chain())
    H, changes = apply_changes(G, remove=["subs"])
    assert changes == [
        "removed relationship 'subs' (subscriber -> store)",
        "removed linked flow 'payout' (store -> plus): a share of 'subs', which is gone",
        "removed linked flow 'cut' (plus -> partner): a share of 'payout', which is gone",
    ]
    assert [k for _, _, k, t in H.edges(keys=True, data="type") if t == "PAYS"] == ["ads"]
    s = whatif(G, remove=["subs"], only="revenue")
    assert _fig(s, "revenue", "partner", "inflow").after == 0.0  # the 8.5 cut stopped with the chain


def test_removing_a_node_stops_the_chains_of_its_payments():
    H, changes = apply_changes(to_networkx(chain()), remove=["store"])
    assert changes == ["removed node 'store' and its 2 relationship(s)",
                       "removed linked flow 'cut' (plus -> partner): a share of 'payout', which is gone"]
    assert not H.has_edge("plus", "partner")


def test_cli_whatif_scale_on_a_linked_flow_is_one_error_line(tmp_path):
    path = tmp_path / "chain.yaml"
    path.write_text(dumps_model(chain(), "yaml"), encoding="utf-8")
    out = CliRunner().invoke(cli, ["whatif", str(path), "--scale", "cut=2"])
    assert out.exit_code != 0
    assert "--scale 'cut': this PAYS is a linked flow, share 0.1 of 'payout'" in out.output
    assert "Traceback" not in out.output


def test_diff_shows_a_change_of_share_and_of_share_of():
    b = CHAIN | {"relationships": [dict(r) for r in CHAIN["relationships"]]}
    b["relationships"][3]["share"] = 0.7
    b["relationships"][1]["share_of"] = "subs"
    d = diff_models(chain(), Ecosystem.model_validate(b), only="revenue")
    changes = {i.key: (i.status, i.fields) for i in d.relationships}
    # payout: 0.7 x 100 = 70; cut: now 0.1 of subs = 10 (was 0.1 x 85 = 8.5)
    assert changes == {
        "cut": ("changed", {"share_of": ["payout", "subs"], "amount": [pytest.approx(8.5), pytest.approx(10.0)]}),
        "payout": ("changed", {"share": [0.85, 0.7], "amount": [pytest.approx(85.0), pytest.approx(70.0)]}),
    }


# ------------------------------------------------------------------------------------------ every format

FILE_FORMATS = (("graphml", "m.graphml"), ("gexf", "m.gexf"), ("xlsx", "m.xlsx"), ("csv", "pair"),
                ("json", "m.json"))


def _same_model(back: Ecosystem, model: Ecosystem, fmt: str) -> None:
    got, want = back.to_data(), model.to_data()
    if fmt == "csv":  # the CSV pair holds no metadata
        got = {**want, "nodes": got["nodes"], "relationships": got["relationships"]}
    assert close(got, want), fmt
    amounts = lambda m: sorted((r.id or "", r.source, r.target, r.amount) for r in m.relationships  # noqa: E731
                               if r.type == "PAYS")
    for (i, u, v, a), (j, x, y, b) in zip(amounts(back), amounts(model)):
        assert (i, u, v) == (j, x, y) and math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-9), fmt


def test_chain_survives_every_file_format(tmp_path):
    model = chain()
    for fmt, name in FILE_FORMATS:
        export_model(model, fmt, tmp_path / name)
        back = import_source(tmp_path / name).model
        _same_model(back, model, fmt)
        assert rel(back, "cut").amount == pytest.approx(8.5), fmt
    header = (tmp_path / "pair" / "relationships.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.split(",")[-1] == "share_of" and "share" in header.split(",")


def test_kumu_json_with_a_share_of_column_imports_linked_flows(tmp_path):
    path = tmp_path / "map.json"
    path.write_text(json.dumps({
        "elements": [{"label": "Fans", "type": "segment"}, {"label": "Store", "type": "channel"},
                     {"label": "Plus", "type": "satellite"}],
        "connections": [
            {"id": "subs", "from": "Fans", "to": "Store", "type": "PAYS", "amount": 20},
            {"id": "payout", "from": "Store", "to": "Plus", "type": "PAYS", "Share of": "subs", "share": 0.85},
        ]}), encoding="utf-8")
    m = import_source(path).model
    assert rel(m, "payout").share_of == "subs"
    assert rel(m, "payout").amount == pytest.approx(17.0)  # 0.85 x 20


def _run_script(server, script: str) -> None:
    with GraphDatabase.driver(server.uri, auth=(server.user, server.password)) as driver:
        with driver.session(database=server.database) as session:
            for statement in split_script(script):
                session.run(statement).consume()


def _stored_pays(server, ecosystem: str) -> dict:
    with GraphDatabase.driver(server.uri, auth=(server.user, server.password)) as driver:
        with driver.session(database=server.database) as session:
            rows = session.run("MATCH (:EcoNode {ecosystem: $e})-[x:PAYS]->() "
                               "RETURN x.id AS id, x.amount AS amount, x.share_of AS share_of, x.share AS share",
                               e=ecosystem).data()
    return {r["id"]: (r["amount"], r["share_of"], r["share"]) for r in rows}


def test_store_push_pull_and_cypher_script_keep_the_chain_with_its_money(bolt_server, unique_name, tmp_path):
    model = chain()
    with connect(bolt_server.uri, bolt_server.user, bolt_server.password, bolt_server.database) as store:
        store.push(model, unique_name)
        stored = _stored_pays(bolt_server, unique_name)
        # Cypher sums real money: the derived amounts are stored beside share_of and share
        assert stored["payout"] == (pytest.approx(85.0), "subs", 0.85)
        assert stored["cut"] == (pytest.approx(8.5), "payout", 0.1)
        assert stored["subs"] == (100.0, None, None)
        assert store.pull(unique_name).to_data() == model.to_data()

        export_model(model, "cypher", tmp_path / "eco.cypher", ecosystem=unique_name + "-script")
        _run_script(bolt_server, (tmp_path / "eco.cypher").read_text(encoding="utf-8"))
        assert _stored_pays(bolt_server, unique_name + "-script")["cut"] == (pytest.approx(8.5), "payout", 0.1)
        back = store.pull(unique_name + "-script")
        assert back.to_data() == model.to_data() and rel(back, "cut").amount == pytest.approx(8.5)
        store.drop(unique_name)
        store.drop(unique_name + "-script")


# ------------------------------------------------------------------------------------------ properties


def _reference_amounts(data: dict) -> dict[str, float]:
    """Every PAYS amount by its index in the file, recomputed recursively from the plain data (an
    independent oracle: no code of the package)."""
    by_id = {r["id"]: r for r in data["relationships"] if r.get("id")}

    def amount(r: dict) -> float:
        if "share_of" in r:
            return r["share"] * amount(by_id[r["share_of"]])
        if "amount" in r:
            return float(r["amount"])
        return r["count"] * r["price"]

    return {j: amount(r) for j, r in enumerate(data["relationships"]) if r["type"] == "PAYS"}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                                  HealthCheck.function_scoped_fixture])
@given(data=linked_ecosystem_data())
def test_random_linked_models_derive_balance_and_survive_every_format(tmp_path_factory, data):
    model = Ecosystem.model_validate(data)
    want = _reference_amounts(data)
    for j, amount in want.items():
        assert math.isclose(model.relationships[j].amount, amount, rel_tol=1e-12, abs_tol=1e-9)

    # Σ net (inflow - outflow over all PAYS, linked included) over all actors is 0; each net matches the oracle
    rev = analyze(to_networkx(model), only="revenue").revenue
    net = {n["id"]: 0.0 for n in data["nodes"]}
    for j, amount in want.items():
        net[data["relationships"][j]["from"]] -= amount
        net[data["relationships"][j]["to"]] += amount
    scale = max([1.0] + list(want.values()))
    assert abs(sum(n.net for n in rev.nodes)) <= 1e-9 * scale * len(want)
    for n in rev.nodes:
        assert math.isclose(n.net, net[n.id], rel_tol=1e-9, abs_tol=1e-9 * scale)

    tmp = tmp_path_factory.mktemp("linked")
    for fmt, name in FILE_FORMATS:
        export_model(model, fmt, tmp / name)
        _same_model(import_source(tmp / name).model, model, fmt)
    for fmt in ("yaml", "json"):
        assert parse_model_text(dumps_model(model, fmt).encode(), f"m.{fmt}", fmt).model == model
    assert sorted(map(repr, to_networkx(from_networkx(to_networkx(model))).edges(keys=True, data=True))) == \
        sorted(map(repr, to_networkx(model).edges(keys=True, data=True)))


@pytest.fixture(scope="module")
def linked_store(bolt_server):
    with connect(bolt_server.uri, bolt_server.user, bolt_server.password, bolt_server.database) as s:
        yield s
        for name in ("linked-roundtrip", "linked-script"):
            if s.exists(name):
                s.drop(name)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=linked_ecosystem_data(max_nodes=8, max_relationships=8))
def test_random_linked_models_survive_the_store_and_the_cypher_script(linked_store, bolt_server, data):
    model = Ecosystem.model_validate(data)
    want = _reference_amounts(data)
    linked_store.push(model, "linked-roundtrip")
    assert linked_store.pull("linked-roundtrip").to_data() == model.to_data()
    stored = _stored_pays(bolt_server, "linked-roundtrip")
    for j, amount in want.items():
        rid = data["relationships"][j].get("id")
        if rid:  # the stored amount is the derived money (Cypher sums real money)
            assert math.isclose(stored[rid][0], amount, rel_tol=1e-12, abs_tol=1e-9)
    from ecosystem_graph.interop.cypher import cypher_script

    _run_script(bolt_server, cypher_script(model, name="linked-script"))
    assert linked_store.pull("linked-script").to_data() == model.to_data()


# ------------------------------------------------------------------------------------------ the examples


def test_examples_linked_flows_give_the_figures_written_beside_them():
    from ecosystem_graph.fileio import load_model

    paper = load_model("examples/newspaper-funnel.yaml")
    assert rel(paper, "plus-in-app").amount == pytest.approx(239_760.0)  # 2,000 x 119.88
    assert rel(paper, "app-store-payout").amount == pytest.approx(203_796.0)  # 0.85 x 239,760
    assert rel(paper, "ad-payout").amount == pytest.approx(900_000.0)  # 0.6 x 1,500,000, as before
    assert rel(paper, "provider-fee-plus").amount == pytest.approx(23_976.0)  # 0.02 x 10,000 x 119.88
    assert rel(paper, "provider-fee-day-passes").amount == pytest.approx(1_076.4)  # 0.02 x 18,000 x 2.99
    amazon = load_model("examples/amazon.yaml")
    # 0.16 x 300 + 0.16 x 200 = 48 + 32 = 80, the commissions of the reported 140.1 seller services
    assert rel(amazon, "seller-commissions-prime").amount == pytest.approx(48.0)
    assert rel(amazon, "seller-commissions-occasional").amount == pytest.approx(32.0)


def test_newspaper_app_stores_keep_15_percent_of_more_subscriptions():
    from ecosystem_graph.fileio import load_model

    s = whatif(to_networkx(load_model("examples/newspaper-funnel.yaml")), scale={"subscriber": 1.1},
               only="revenue")
    # in-app subscriptions 239,760 -> 263,736 (+23,976); the stores pay 85% on, so their net
    # 239,760 - 203,796 = 35,964 grows by 0.15 x 23,976 = 3,596.4 to 39,560.4
    stores = _fig(s, "revenue", "app-stores", "net")
    assert (stores.before, stores.after) == (pytest.approx(35_964.0), pytest.approx(39_560.4))
    assert _fig(s, "revenue", "app-stores", "inflow").change == pytest.approx(23_976.0)
