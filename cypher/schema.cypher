// ecosystem-graph schema for Neo4j 5 (also runs unchanged on ArcadeDB's Bolt server).
//
// Applied by `ecograph db push` before it writes (every statement is IF NOT EXISTS, so applying it
// again changes nothing). Run it yourself with e.g. `cypher-shell -f schema.cypher`.
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

// A node id is unique within one version of one ecosystem; also the index every lookup by id uses.
CREATE CONSTRAINT ecograph_node_key IF NOT EXISTS
FOR (n:EcoNode) REQUIRE (n.version, n.id) IS UNIQUE;

// All nodes of a version: pull, named queries scanning a kind, cleanup of old versions.
CREATE INDEX ecograph_node_version IF NOT EXISTS
FOR (n:EcoNode) ON (n.version);

// The versions of one ecosystem (cleanup after a push, drop).
CREATE INDEX ecograph_version_ecosystem IF NOT EXISTS
FOR (v:EcosystemVersion) ON (v.ecosystem);
