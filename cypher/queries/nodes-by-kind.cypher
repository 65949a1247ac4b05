// Nodes by kind: how many cores, satellites, channels, partners and segments the ecosystem has.
//
// Parameters:
//   ecosystem (string): name the ecosystem was pushed under
//
// Columns:
//   kind: node kind
//   nodes: number of nodes of that kind
MATCH (e:Ecosystem {name: $ecosystem})
MATCH (n:EcoNode)
WHERE n.version = e.current AND n.id IS NOT NULL
RETURN n.kind AS kind, count(n) AS nodes
ORDER BY nodes DESC, kind
