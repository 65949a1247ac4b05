// Revenue by segment and stream: what each customer segment pays the ecosystem's own offerings (cores,
// satellites, channels) per period, split by payment stream. Payments to partners are not counted, as in
// `ecograph analyze`: a segment's `by_segment` here is its `revenue.by_segment` figure there (docs/metrics.md).
// Linked payments (share_of) count with their derived amount. A payment without a stream is counted
// under "unspecified".
//
// Parameters:
//   ecosystem (string): name the ecosystem was pushed under
//
// Columns:
//   segment: id of the paying segment
//   name: its name
//   by_segment: ecosystem revenue the segment pays directly, all streams (analyze's revenue.by_segment)
//   stream: payment stream (purchase, subscription, commission, fee, advertising, usage)
//   amount: the part of by_segment paid in that stream, in the model's currency and money unit
//   payments: number of PAYS relationships summed in that stream
MATCH (e:Ecosystem {name: $ecosystem})
MATCH (s:EcoNode:Segment)-[p:PAYS]->(o:EcoNode)
WHERE s.version = e.current AND s.id IS NOT NULL AND o.kind IN ['core', 'satellite', 'channel']
WITH s, coalesce(p.stream, 'unspecified') AS stream, sum(p.amount) AS amount, count(p) AS payments
CALL {
  WITH s
  MATCH (s)-[q:PAYS]->(o2:EcoNode)
  WHERE o2.kind IN ['core', 'satellite', 'channel']
  RETURN sum(q.amount) AS by_segment
}
RETURN s.id AS segment, s.name AS name, by_segment, stream, amount, payments
ORDER BY by_segment DESC, segment, amount DESC, stream
