// Nodes that depend on a partner: those with a chain of DEPENDS_ON relationships to it (at most 3) and
// those it SUPPLIES directly. Criticality is the product of the criticalities along the chain (a
// missing one counts as 1); a SUPPLIES dependency has none.
//
// Parameters:
//   ecosystem (string): name the ecosystem was pushed under
//   partner (string): id of the partner
//
// Columns:
//   id: id of the dependent node
//   name: its name
//   kind: its kind (core, satellite, channel, partner, segment)
//   via: DEPENDS_ON or SUPPLIES
//   hops: length of the shortest chain to the partner
//   criticality: highest chain criticality, empty for SUPPLIES
MATCH (e:Ecosystem {name: $ecosystem})
MATCH (p:EcoNode:Partner {version: e.current, id: $partner})
CALL {
  WITH p
  MATCH chain = (n:EcoNode)-[:DEPENDS_ON*1..3]->(p)
  WHERE n <> p
  RETURN n, 'DEPENDS_ON' AS via, length(chain) AS hops,
         reduce(c = 1.0, x IN relationships(chain) | c * coalesce(x.criticality, 1.0)) AS criticality
  UNION ALL
  WITH p
  MATCH (p)-[:SUPPLIES]->(n:EcoNode)
  RETURN n, 'SUPPLIES' AS via, 1 AS hops, null AS criticality
}
WITH n, via, min(hops) AS hops, max(criticality) AS criticality
RETURN n.id AS id, n.name AS name, n.kind AS kind, via, hops, criticality
ORDER BY hops, via, id
