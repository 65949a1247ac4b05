// Funnel stages: every CONVERTS_TO step between segment stages, in funnel order.
// A step's number is one more than the longest chain of conversions leading to its source stage
// (chains of at most 10 steps are followed), so the entry stage's steps come first.
//
// Parameters:
//   ecosystem (string): name the ecosystem was pushed under
//
// Columns:
//   step: position of the step in the funnel (1 = leaving the entry stage)
//   from_stage: id of the source stage
//   from_name: its name
//   from_size: members of the source stage, empty when not given
//   to_stage: id of the target stage
//   to_name: its name
//   rate: share of the source stage that converts per period
MATCH (e:Ecosystem {name: $ecosystem})
MATCH (a:EcoNode:Segment)-[r:CONVERTS_TO]->(b:Segment)
WHERE a.version = e.current AND a.id IS NOT NULL
OPTIONAL MATCH p = (:Segment)-[:CONVERTS_TO*1..10]->(a)
WITH a, r, b, max(length(p)) AS before
RETURN coalesce(before, 0) + 1 AS step, a.id AS from_stage, a.name AS from_name, a.size AS from_size,
       b.id AS to_stage, b.name AS to_name, r.rate AS rate
ORDER BY step, from_stage, to_stage
