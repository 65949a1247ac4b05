"""The Cypher query library: headers, the shipped copies, and each query's results on a hand-built model."""

from __future__ import annotations

import filecmp
from pathlib import Path

import pytest

from ecosystem_graph.errors import StoreNotFoundError, UsageError
from ecosystem_graph.store.neo4j import connect
from ecosystem_graph.store.queries import get_query, list_queries, parse_query, schema_statements

from .store_models import shop_model

REPO = Path(__file__).resolve().parent.parent
PACKAGE_CYPHER = REPO / "ecosystem_graph" / "cypher"
TOP_CYPHER = REPO / "cypher"


def test_the_top_level_cypher_folder_is_identical_to_the_packaged_one():
    # The package copy is what the code reads (it is in every wheel); cypher/ is for people reading the repo.
    top = sorted(p.relative_to(TOP_CYPHER) for p in TOP_CYPHER.rglob("*.cypher"))
    packaged = sorted(p.relative_to(PACKAGE_CYPHER) for p in PACKAGE_CYPHER.rglob("*.cypher"))
    assert top == packaged
    mismatched = [str(p) for p in top if not filecmp.cmp(TOP_CYPHER / p, PACKAGE_CYPHER / p, shallow=False)]
    assert mismatched == [], "copy ecosystem_graph/cypher/ to cypher/ (or the other way round)"


def test_the_library_has_the_required_queries_with_documented_headers():
    names = [q.name for q in list_queries()]
    assert names == ["channels-reaching-segment", "funnel-stages", "lockin-paths", "nodes-by-kind",
                     "partner-dependents", "revenue-by-segment", "satellites-by-dependent-revenue"]
    for q in list_queries():
        assert q.summary and q.columns and q.params[0].name == "ecosystem", q.name
        for p in q.params:
            assert f"${p.name}" in q.cypher, (q.name, p.name)


def test_schema_statements_are_all_idempotent():
    statements = schema_statements()
    assert len(statements) == 5
    assert all(" IF NOT EXISTS" in s or s.startswith("DROP INDEX ") and s.endswith(" IF EXISTS")
               for s in statements)


def test_header_parsing():
    q = parse_query("demo", "// Demo query.\n// More.\n//\n// Parameters:\n//   n (integer): how many\n"
                            "//\n// Columns:\n//   x: the x\nRETURN $n AS x\n")
    assert (q.summary, q.description, q.param_names, q.columns) == ("Demo query.", "Demo query. More.", ["n"],
                                                                   [("x", "the x")])
    assert q.cypher == "RETURN $n AS x\n"
    assert q.bind({"n": "12"}) == {"n": 12}
    with pytest.raises(UsageError, match="parameter 'n' must be an integer, not 'ten'"):
        q.bind({"n": "ten"})
    with pytest.raises(UsageError, match=r"needs --param n=\.\.\."):
        q.bind({})
    with pytest.raises(UsageError, match="has no parameter 'm'"):
        q.bind({"n": 1, "m": 2})


def test_unknown_query_suggests_a_name():
    with pytest.raises(StoreNotFoundError, match="no named query 'lockin-path'; did you mean 'lockin-paths'"):
        get_query("lockin-path")


@pytest.fixture(scope="module")
def shop(bolt_server):
    with connect(bolt_server.uri, bolt_server.user, bolt_server.password, bolt_server.database) as store:
        store.push(shop_model(), "queries-shop")
        yield store
        store.drop("queries-shop")


def run(store, name, **params):
    result = store.run_named(name, {"ecosystem": "queries-shop", **params})
    assert result.columns == [c for c, _ in get_query(name).columns]
    return result.rows


def test_lockin_paths(shop):
    assert run(shop, "lockin-paths", segment="members") == [
        [["members", "prime", "shop"], 2, "shop", 0.8, ["loyalty_program"]],
        [["members", "app", "shop"], 2, "shop", 0.2, []],
        [["members", "video", "prime", "shop"], 3, "shop", 0.3, []],
    ]
    assert run(shop, "lockin-paths", segment="visitors") == []


def test_revenue_by_segment(shop):
    # members pay shop 100, prime 1000 x 0.04 = 40, video 5: 145; visitors pay shop 10
    assert run(shop, "revenue-by-segment") == [
        ["members", "Members", 145.0, "purchase", 100.0, 1],
        ["members", "Members", 145.0, "subscription", 40.0, 1],
        ["members", "Members", 145.0, "unspecified", 5.0, 1],
        ["visitors", "Visitors", 10.0, "purchase", 10.0, 1],
    ]


def test_satellites_by_dependent_revenue(shop):
    # ecosystem revenue 100 + 40 + 10 + 5 = 155. Binding weights: members-USES->prime 1, -USES->app 0.6,
    # -USES->video 1; prime-FEEDS->shop 1, app-FEEDS->shop 0.4, video-FEEDS->prime 1.
    # members -> shop 100: paths via prime (1), app (0.24), video->prime (1), total 2.24:
    #   prime 100 x 2/2.24, video 100 x 1/2.24
    # members -> prime 40: direct (1) and via video (1): video 20; prime's own 40
    # members -> video 5: video's own
    prime = 40 + 100 * 2 / 2.24
    video = 5 + 100 / 2.24 + 20
    rows = run(shop, "satellites-by-dependent-revenue")
    assert [r[:3] for r in rows] == [["prime", "Prime", 40.0], ["video", "Video 🎬", 5.0]]
    assert [r[3:] for r in rows] == [[pytest.approx(prime), pytest.approx(prime / 155)],
                                     [pytest.approx(video), pytest.approx(video / 155)]]


def test_channels_reaching_segment(shop):
    assert run(shop, "channels-reaching-segment", segment="members") == [
        ["app", "App", False, 0.5, 0.6, 0.2],
        ["echo", "Echo", True, 0.3, None, None],
    ]


def test_funnel_stages(shop):
    assert run(shop, "funnel-stages") == [
        [1, "visitors", "Visitors", 10000, "registered", "Registered", 0.1],
        [2, "registered", "Registered", 500, "members", "Members", 0.05],
    ]


def test_partner_dependents(shop):
    rows = run(shop, "partner-dependents", partner="cloud")
    assert [r[:5] for r in rows] == [["video", "Video 🎬", "satellite", "DEPENDS_ON", 1],
                                     ["prime", "Prime", "satellite", "DEPENDS_ON", 2]]
    assert [r[5] for r in rows] == [pytest.approx(0.9), pytest.approx(0.5 * 0.9)]
    assert run(shop, "partner-dependents", partner="carrier") == [["shop", "Shop", "core", "SUPPLIES", 1, None]]


def test_nodes_by_kind(shop):
    assert run(shop, "nodes-by-kind") == [["segment", 3], ["channel", 2], ["partner", 2], ["satellite", 2],
                                          ["core", 1]]


def test_queries_see_only_the_current_version_of_their_own_ecosystem(shop):
    other = shop_model(nodes=[n for n in shop_model().to_data()["nodes"]],
                       relationships=[r for r in shop_model().to_data()["relationships"] if r["type"] != "PAYS"])
    shop.push(other, "queries-shop-other")
    try:
        assert run(shop, "revenue-by-segment")[0] == ["members", "Members", 145.0, "purchase", 100.0, 1]
        assert shop.run_named("revenue-by-segment", {"ecosystem": "queries-shop-other"}).rows == []
    finally:
        shop.drop("queries-shop-other")
