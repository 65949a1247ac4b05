// Lock-in paths of a segment: every chain of bindings that ties it to a core, shortest first.
// A path starts with the segment's USES binding (to an offering or a channel) and continues over FEEDS
// relationships until it reaches a core (at most 4 relationships in all).
//
// Parameters:
//   ecosystem (string): name the ecosystem was pushed under
//   segment (string): id of the segment
//
// Columns:
//   path: node ids from the segment to the core
//   hops: number of relationships in the path
//   core: id of the core the path reaches
//   switching_cost: switching cost of the first binding (the segment's USES), empty when not given
//   mechanisms: lock-in mechanisms of that binding
MATCH (e:Ecosystem {name: $ecosystem})
MATCH (s:EcoNode:Segment {version: e.current, id: $segment})
MATCH p = (s)-[:USES|FEEDS*1..4]->(c:Core)
WHERE type(relationships(p)[0]) = 'USES'
  AND all(r IN tail(relationships(p)) WHERE type(r) = 'FEEDS')
WITH p, c, relationships(p)[0] AS binding
RETURN [n IN nodes(p) | n.id] AS path, length(p) AS hops, c.id AS core,
       binding.switching_cost AS switching_cost, coalesce(binding.mechanisms, []) AS mechanisms
ORDER BY hops, core, binding.ord
