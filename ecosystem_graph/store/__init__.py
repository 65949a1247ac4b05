"""Storing ecosystems in a graph database over Bolt (Neo4j 5, or the local ArcadeDB server)."""

# The package itself exports nothing: its modules (neo4j, queries, readonly, server) are imported by name,
# so that ``ecograph`` commands that need no database never load the driver.
__all__: list[str] = []
