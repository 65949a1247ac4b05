"""Storing ecosystems in a graph database over Bolt (Neo4j 5, or the local ArcadeDB server)."""
