// ecosystem-graph schema for Neo4j 5 (also runs unchanged on ArcadeDB's Bolt server).
//
// Applied by `ecograph db push` before it writes (every statement is IF NOT EXISTS or IF EXISTS, so
// applying it again changes nothing). Run it yourself with e.g. `cypher-shell -f schema.cypher`.
//
// Layout (see docs/store.md):
//   (:Ecosystem {name, current})          one per pushed ecosystem; `current` names the visible version
//   (:EcosystemVersion {version, ecosystem, state, ...metadata})   one per push
//   (:EcoNode:<Kind> {version, ecosystem, id, ...})  the model's nodes, Kind in Core, Satellite, Channel,
//                                                    Partner, Segment; relationships keep their model type

// One pointer per ecosystem name.
CREATE CONSTRAINT ecograph_ecosystem_name IF NOT EXISTS
FOR (e:Ecosystem) REQUIRE e.name IS UNIQUE;

// Version ids are unique across the database (random 128-bit hex).
CREATE CONSTRAINT ecograph_version_id IF NOT EXISTS
FOR (v:EcosystemVersion) REQUIRE v.version IS UNIQUE;

// A node id is unique within one version of one ecosystem. This is the only index on model nodes: every
// lookup by id uses it (the named queries' start nodes), and so does every scan of a whole version (pull,
// deleting a version), written `WHERE n.version = $v AND n.id IS NOT NULL` (equality on the first key,
// existence of the second: the index holds the whole version). A push's relationship batches reach their
// ends by the element ids its node batches returned, and check the (version, id) of each.
CREATE CONSTRAINT ecograph_node_key IF NOT EXISTS
FOR (n:EcoNode) REQUIRE (n.version, n.id) IS UNIQUE;

// Earlier releases also indexed EcoNode.version alone. Every node of a version shares that one key, which
// halved the push rate and made deleting a version 5x slower on ArcadeDB; the composite key above serves
// the same scans, so the old index is removed from databases that have it.
DROP INDEX ecograph_node_version IF EXISTS;

// The versions of one ecosystem (cleanup after a push, drop).
CREATE INDEX ecograph_version_ecosystem IF NOT EXISTS
FOR (v:EcosystemVersion) ON (v.ecosystem);
