"""ecosystem-graph: model a business ecosystem as a graph, analyse it, and show it."""

__version__ = "0.1.0"

__all__ = ["__version__"]
