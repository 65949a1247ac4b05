"""Betweenness centrality in a forked child process, while the parent computes the other analyses."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import warnings

import networkx as nx
import numpy as np

__all__ = ["BACKGROUND_WORK", "CGROUP_CPU_LIMITS", "Betweenness", "can_fork", "cpu_limit", "betweenness_values",
           "collapsed_edge_count"]

BACKGROUND_WORK = 1_000_000
"""Edge visits (sources x (nodes + edges)) from which betweenness runs in a child process: about a
second of networkx, against a few milliseconds to fork."""


CGROUP_CPU_LIMITS = ("/sys/fs/cgroup/cpu.max", "/sys/fs/cgroup/cpu/cpu.cfs_quota_us")
"""Where a container's CPU limit is (cgroup v2, v1): a container limited to one CPU still lists every
CPU of the host as usable."""


def cpu_limit(paths: tuple[str, ...] = CGROUP_CPU_LIMITS) -> float | None:
    """The CPUs this process may use by its cgroup's quota (e.g. 1.5), None when unlimited or unknown.

    cgroup v2 ``cpu.max`` holds ``"<quota> <period>"`` or ``"max <period>"``; cgroup v1 keeps the quota
    in ``cpu.cfs_quota_us`` (-1: none) and the period in ``cpu.cfs_period_us`` next to it.
    """
    for path in paths:
        try:
            with open(path, encoding="ascii") as f:
                fields = f.read().split()
            if path.endswith("cfs_quota_us"):
                with open(os.path.join(os.path.dirname(path), "cpu.cfs_period_us"), encoding="ascii") as f:
                    fields.append(f.read().strip())
            quota, period = fields[0], fields[1]
        except (OSError, IndexError):
            continue
        if quota in ("max", "-1"):
            return None
        try:
            return int(quota) / int(period)
        except (ValueError, ZeroDivisionError):
            return None
    return None


def can_fork() -> bool:
    """True where a child process can be forked safely and runs on another CPU: Linux with 2+ CPUs
    (by the process's CPU affinity and its container's CPU quota).

    (macOS and Windows are left out: forking is unsafe with macOS system libraries, and Windows has no
    fork; there the analyses run in one process, with the same figures.)
    """
    if not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return False
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - every Linux Python has sched_getaffinity
        cpus = os.cpu_count() or 1
    limit = cpu_limit()
    return cpus >= 2 and (limit is None or limit >= 2)


def collapsed_edge_count(G: nx.MultiDiGraph) -> int:
    """Edges of the collapsed graph (one per ordered pair with a relationship): each node's distinct
    successors, summed."""
    return sum(len(nbrs) for _, nbrs in G.adjacency())


def betweenness_values(G: nx.MultiDiGraph, k: int | None, seed: int) -> np.ndarray:
    """networkx's normalised directed betweenness of every node of ``G``, in ``G``'s node order
    (``k`` sampled sources with ``seed``, or exact when ``k`` is None)."""
    if k is None:
        values = nx.betweenness_centrality(G, normalized=True)
    else:
        values = nx.betweenness_centrality(G, k=k, normalized=True, seed=seed)
    return np.fromiter(map(values.__getitem__, G), dtype=float, count=len(G))


class Betweenness:
    """The betweenness of ``G``'s nodes (:func:`betweenness_values`), computed in a forked child when
    ``background`` is true, the work is large and :func:`can_fork`; else here, when asked for.

    The child runs the very same networkx call on the very same graph (forked, nothing copied) and
    sends the values back as raw doubles: the figures are identical to the last bit either way. When
    the child fails for any reason (killed, out of memory), :meth:`values` computes them here instead.
    ``pairs``: :func:`collapsed_edge_count` of ``G``, when at hand.
    Call :meth:`close` when done (it ends a child that is still running, e.g. after an error).

    Examples
    --------
    >>> G = nx.MultiDiGraph([("a", "b"), ("b", "c")])
    >>> Betweenness(G, k=None, seed=0, background=False).values().tolist()
    [0.0, 0.5, 0.0]
    """

    def __init__(self, G: nx.MultiDiGraph, *, k: int | None, seed: int, background: bool = True,
                 min_work: int = BACKGROUND_WORK, pairs: int | None = None) -> None:
        self.G, self.k, self.seed = G, k, seed
        self.pid: int | None = None  # the child's, while it runs
        self._fd: int | None = None  # read end of the pipe from the child
        self._values: np.ndarray | None = None
        if background and can_fork():
            n = G.number_of_nodes()
            if pairs is None:  # distinct successors (the collapsed graph's edges): what a search visits
                pairs = collapsed_edge_count(G)
            if (n if k is None else k) * (n + pairs) >= min_work:
                self._start()

    @property
    def in_background(self) -> bool:
        """True while a child process computes the values."""
        return self.pid is not None

    def _start(self) -> None:
        for stream in (sys.stdout, sys.stderr):  # a child must not inherit unwritten output
            if stream is not None:
                with contextlib.suppress(OSError, ValueError):
                    stream.flush()
        r, w = os.pipe()
        try:
            with warnings.catch_warnings():
                # Python 3.12+ warns when forking a process with threads (a terminal spinner has one):
                # the child touches no lock another thread could hold - it runs networkx on its copy of
                # the graph, writes to its pipe and leaves with os._exit.
                warnings.simplefilter("ignore", DeprecationWarning)
                pid = os.fork()
        except OSError:  # no memory or processes left: compute here instead
            os.close(r)
            os.close(w)
            return
        if pid == 0:  # pragma: no cover - the child (coverage is not collected there)
            code = 1
            try:
                os.close(r)
                signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
                data = memoryview(betweenness_values(self.G, self.k, self.seed).tobytes())
                while data:
                    data = data[os.write(w, data):]
                code = 0
            finally:
                os._exit(code)  # never run the parent's cleanup (atexit, finally blocks, buffers)
        os.close(w)
        self.pid, self._fd = pid, r

    def values(self) -> np.ndarray:
        """The betweenness of every node, in ``G``'s node order (waits for the child if need be)."""
        if self._values is None:
            if self.pid is not None:
                self._values = self._receive()
            if self._values is None:
                self._values = betweenness_values(self.G, self.k, self.seed)
        return self._values

    def _receive(self) -> np.ndarray | None:
        size = 8 * self.G.number_of_nodes()
        chunks, got = [], 0
        try:
            while got < size:
                chunk = os.read(self._fd, size - got)
                if not chunk:
                    break
                chunks.append(chunk)
                got += len(chunk)
        finally:
            self.close()
        return np.frombuffer(b"".join(chunks), dtype=float).copy() if got == size else None  # writable

    def close(self) -> None:
        """End the child (if still running) and release the pipe."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        if self.pid is not None:
            pid, self.pid = self.pid, None
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:  # pragma: no cover - already gone
                pass
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:  # pragma: no cover - reaped elsewhere
                pass
