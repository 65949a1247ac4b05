// Revenue by segment and stream: what each customer segment pays per period, split by payment stream.
// Sums the PAYS relationships leaving each segment (to any payee); a payment without a stream is
// counted under "unspecified".
//
// Parameters:
//   ecosystem (string): name the ecosystem was pushed under
//
// Columns:
//   segment: id of the paying segment
//   name: its name
//   stream: payment stream (purchase, subscription, commission, fee, advertising, usage)
//   amount: money per period, in the model's currency and money unit
//   payments: number of PAYS relationships summed
MATCH (e:Ecosystem {name: $ecosystem})
MATCH (s:EcoNode:Segment)-[p:PAYS]->()
WHERE s.version = e.current AND s.id IS NOT NULL
WITH s, coalesce(p.stream, 'unspecified') AS stream, sum(p.amount) AS amount, count(p) AS payments
RETURN s.id AS segment, s.name AS name, stream, amount, payments
ORDER BY amount DESC, segment, stream
