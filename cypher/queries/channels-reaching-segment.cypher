// Channels reaching a segment: every channel that REACHES the segment or that the segment USES.
//
// Parameters:
//   ecosystem (string): name the ecosystem was pushed under
//   segment (string): id of the segment
//
// Columns:
//   channel: id of the channel
//   name: its name
//   device: whether the channel is a dedicated device (also a durable-purchase lock-in)
//   reach: share of the segment the channel reaches (REACHES.reach), empty when not given
//   uses_share: share of the segment that uses the channel (USES.share), empty when not given
//   switching_cost: switching cost of the segment's USES binding to the channel, empty when none
MATCH (e:Ecosystem {name: $ecosystem})
MATCH (s:EcoNode:Segment {version: e.current, id: $segment})
MATCH (c:EcoNode:Channel)
WHERE c.version = e.current AND c.id IS NOT NULL
  AND (EXISTS { MATCH (c)-[:REACHES]->(s) } OR EXISTS { MATCH (s)-[:USES]->(c) })
OPTIONAL MATCH (c)-[r:REACHES]->(s)
OPTIONAL MATCH (s)-[u:USES]->(c)
WITH c, max(r.reach) AS reach, max(u.share) AS uses_share, max(u.switching_cost) AS switching_cost
RETURN c.id AS channel, c.name AS name, coalesce(c.device, false) AS device, reach, uses_share,
       switching_cost
ORDER BY coalesce(reach, -1.0) DESC, channel
