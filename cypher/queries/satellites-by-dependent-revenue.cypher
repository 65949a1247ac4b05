// Satellites ranked by the ecosystem revenue that depends on them, computed as `ecograph analyze` computes
// `revenue.dependent_revenue` and `revenue.dependency` (docs/metrics.md): a satellite's own revenue (what
// segments and partners pay into it) plus, for every other payment from a segment or partner into an
// offering (core, satellite, channel), the part carried by the binding paths through the satellite. Each
// payment is split over the simple USES/FEEDS paths from payer to payee of at most 4 relationships (a path
// to a core ends at the first core) in proportion to each path's weight, the product of USES share and FEEDS
// strength (1 when unset; all weights 0: an equal split). analyze's defaults (--depth 4) give the same
// figures while no payer has more than --max-paths (50) binding paths. Linked payments (share_of) count with
// their derived amount.
//
// Parameters:
//   ecosystem (string): name the ecosystem was pushed under
//
// Columns:
//   satellite: id of the satellite
//   name: its name
//   own_revenue: what segments and partners pay into the satellite per period (analyze's revenue_by_offering)
//   dependent_revenue: own_revenue plus the revenue attributed to it over binding paths (the ranking)
//   dependency: dependent_revenue as a share of the ecosystem revenue
MATCH (e:Ecosystem {name: $ecosystem})
OPTIONAL MATCH (x:EcoNode)-[rev:PAYS]->(y:EcoNode)
WHERE x.version = e.current AND x.kind IN ['segment', 'partner'] AND y.kind IN ['core', 'satellite', 'channel']
WITH e, sum(coalesce(rev.amount, 0.0)) AS ecosystem_revenue
MATCH (sat:EcoNode:Satellite)
WHERE sat.version = e.current AND sat.id IS NOT NULL
OPTIONAL MATCH (x:EcoNode)-[own:PAYS]->(sat)
WHERE x.kind IN ['segment', 'partner']
WITH ecosystem_revenue, sat, sum(coalesce(own.amount, 0.0)) AS own_revenue
CALL {
  WITH sat
  MATCH (payer:EcoNode)-[:USES|FEEDS*1..3]->(sat)
  WHERE payer.kind IN ['segment', 'partner']
  WITH DISTINCT sat, payer
  MATCH (payer)-[pay:PAYS]->(o:EcoNode)
  WHERE o.kind IN ['core', 'satellite', 'channel'] AND o <> sat
  MATCH p = (payer)-[:USES|FEEDS*1..4]->(o)
  WHERE all(n IN nodes(p) WHERE single(m IN nodes(p) WHERE m = n))
    AND (o.kind <> 'core' OR none(n IN nodes(p)[1..-1] WHERE n.kind = 'core'))
  WITH sat, pay, p,
       reduce(w = 1.0, r IN relationships(p) |
              w * coalesce(CASE type(r) WHEN 'USES' THEN r.share ELSE r.strength END, 1.0)) AS weight,
       CASE WHEN sat IN nodes(p)[1..-1] THEN 1 ELSE 0 END AS through
  WITH pay, sum(weight) AS total, sum(weight * through) AS via, count(p) AS paths, sum(through) AS via_paths
  RETURN sum(CASE WHEN total > 0 THEN pay.amount * via / total
                  ELSE pay.amount * via_paths / paths END) AS attributed
}
WITH ecosystem_revenue, sat, own_revenue, coalesce(attributed, 0.0) AS attributed
RETURN sat.id AS satellite, sat.name AS name, own_revenue, own_revenue + attributed AS dependent_revenue,
       CASE WHEN ecosystem_revenue > 0 THEN (own_revenue + attributed) / ecosystem_revenue ELSE 0.0 END
         AS dependency
ORDER BY dependent_revenue DESC, satellite
