// Satellites ranked by the revenue that depends on them.
// For each satellite: its own revenue (every PAYS into it) plus the core revenue it carries (what the
// segments that USE the satellite pay to a core the satellite FEEDS). Losing the satellite puts that
// money at risk; a payment can count for several satellites.
//
// Parameters:
//   ecosystem (string): name the ecosystem was pushed under
//
// Columns:
//   satellite: id of the satellite
//   name: its name
//   own_revenue: money paid to the satellite itself per period
//   fed_core_revenue: money its users pay to the cores it feeds
//   dependent_revenue: own_revenue + fed_core_revenue (the ranking)
MATCH (e:Ecosystem {name: $ecosystem})
MATCH (sat:EcoNode:Satellite)
WHERE sat.version = e.current AND sat.id IS NOT NULL
OPTIONAL MATCH ()-[own:PAYS]->(sat)
WITH sat, sum(coalesce(own.amount, 0.0)) AS own_revenue
OPTIONAL MATCH (seg:Segment)-[:USES]->(sat)
WITH DISTINCT sat, own_revenue, seg
OPTIONAL MATCH (seg)-[pay:PAYS]->(core:Core)
WHERE EXISTS { MATCH (sat)-[:FEEDS]->(core) }
WITH sat, own_revenue, sum(coalesce(pay.amount, 0.0)) AS fed_core_revenue
RETURN sat.id AS satellite, sat.name AS name, own_revenue, fed_core_revenue,
       own_revenue + fed_core_revenue AS dependent_revenue
ORDER BY dependent_revenue DESC, satellite
