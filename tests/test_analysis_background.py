"""Betweenness in a forked child process: same figures as networkx and as the serial run, and no child left behind."""

from __future__ import annotations

import json
import os
import signal
import sys

import networkx as nx
import pytest
from click.testing import CliRunner

from ecosystem_graph.analysis import _background, analyze, centrality
from ecosystem_graph.analysis._background import Betweenness, can_fork, cpu_limit
from ecosystem_graph.cli import cli
from ecosystem_graph.fileio import save_model
from ecosystem_graph.generate import generate_model
from ecosystem_graph.graph import to_networkx


@pytest.fixture(scope="module")
def G():
    return to_networkx(generate_model(700, seed=3))


@pytest.fixture
def started(monkeypatch):
    """The pids of the child processes Betweenness starts (the real ``_start`` runs)."""
    pids = []
    real = Betweenness._start

    def spy(self):
        real(self)
        if self.pid is not None:
            pids.append(self.pid)

    monkeypatch.setattr(Betweenness, "_start", spy)
    return pids


def reaped(pid: int) -> bool:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def networkx_values(G, k=None, seed=0):
    values = nx.betweenness_centrality(G, k=k, normalized=True, seed=seed)
    return [values[v] for v in G]


@pytest.mark.parametrize("k, seed", [(None, 0), (25, 7)])
def test_the_child_computes_networkx_betweenness_to_the_last_bit(G, k, seed, started):
    b = Betweenness(G, k=k, seed=seed, min_work=0)
    assert b.in_background == can_fork()
    assert b.values().tolist() == networkx_values(G, k, seed)  # exact equality: raw doubles through the pipe
    assert not b.in_background
    assert all(reaped(pid) for pid in started)


def test_a_linux_machine_with_two_usable_cpus_forks():
    # CI and development machines here are Linux with 2 cores, so the child path really runs in the tests
    limit = cpu_limit()
    usable = sys.platform.startswith("linux") and len(os.sched_getaffinity(0)) >= 2 and (limit is None or limit >= 2)
    assert can_fork() == usable


def test_no_fork_on_one_cpu_or_off_linux(monkeypatch):
    monkeypatch.setattr(_background, "cpu_limit", lambda: None)
    monkeypatch.setattr(_background.os, "sched_getaffinity", lambda pid: {0})
    assert not can_fork()
    monkeypatch.setattr(_background.os, "sched_getaffinity", lambda pid: {0, 1})
    assert can_fork() == sys.platform.startswith("linux")
    monkeypatch.setattr(_background, "cpu_limit", lambda: 1.5)  # a container limited to 1.5 CPUs
    assert not can_fork()
    monkeypatch.setattr(_background, "cpu_limit", lambda: 2.0)
    assert can_fork() == sys.platform.startswith("linux")
    monkeypatch.setattr(_background.sys, "platform", "darwin")
    assert not can_fork()


@pytest.mark.parametrize("files, limit", [
    ({"cpu.max": "max 100000\n"}, None),  # cgroup v2, no limit
    ({"cpu.max": "150000 100000\n"}, 1.5),  # cgroup v2, 1.5 CPUs
    ({"cpu/cpu.cfs_quota_us": "-1\n", "cpu/cpu.cfs_period_us": "100000\n"}, None),  # v1, no limit
    ({"cpu/cpu.cfs_quota_us": "400000\n", "cpu/cpu.cfs_period_us": "100000\n"}, 4.0),  # v1, 4 CPUs
    ({}, None),  # no cgroup files
])
def test_cpu_limit_reads_the_container_quota(tmp_path, files, limit):
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    assert cpu_limit((str(tmp_path / "cpu.max"), str(tmp_path / "cpu" / "cpu.cfs_quota_us"))) == limit


def test_small_work_stays_in_this_process(G, started):
    # 700 nodes, 25 sources: 25 * (700 + ~2,100) edge visits < BACKGROUND_WORK
    b = Betweenness(G, k=25, seed=0)
    assert not b.in_background and started == []
    assert b.values().tolist() == networkx_values(G, 25, 0)


def test_serial_never_forks(G, started):
    b = Betweenness(G, k=None, seed=0, background=False, min_work=0)
    assert not b.in_background and started == []
    assert b.values().tolist() == networkx_values(G)


def test_a_killed_child_is_replaced_by_computing_here(G, started):
    b = Betweenness(G, k=None, seed=0, min_work=0)
    if b.in_background:
        os.kill(b.pid, signal.SIGKILL)
    assert b.values().tolist() == networkx_values(G)
    assert all(reaped(pid) for pid in started)


def test_close_ends_a_running_child_and_values_are_still_right(G, started):
    b = Betweenness(G, k=None, seed=0, min_work=0)
    b.close()
    assert not b.in_background
    assert all(reaped(pid) for pid in started)
    assert b.values().tolist() == networkx_values(G)


def test_centrality_refuses_a_betweenness_sampled_otherwise(G):
    b = Betweenness(G, k=10, seed=0, background=False)
    with pytest.raises(ValueError, match="k=10"):
        centrality.centrality(G, sample_above=10_000, betweenness=b)  # needs the exact one (k=None)


@pytest.mark.parametrize("sample_above", [5000, 100])  # exact, and sampled (k from sample_size)
def test_analyze_in_parallel_gives_the_serial_figures(G, sample_above, started):
    parallel = analyze(G, sample_above=sample_above)
    # exact: 700 sources; sampled: k = min(700, 4,000,000 // 2,800); 700 * ~2,800 visits > BACKGROUND_WORK
    assert len(started) == (1 if can_fork() else 0)
    serial = analyze(G, sample_above=sample_above, parallel=False)
    assert len(started) == (1 if can_fork() else 0)
    assert json.dumps(parallel.to_dict()) == json.dumps(serial.to_dict())
    assert reaped(started[0]) if started else True


def test_an_error_in_another_analysis_ends_the_child(G, started, monkeypatch):
    from ecosystem_graph.analysis import lockin

    def broken(*args, **kwargs):
        raise RuntimeError("lock-in failed")

    monkeypatch.setattr(lockin, "lockin", broken)
    with pytest.raises(RuntimeError, match="lock-in failed"):
        analyze(G)
    assert all(reaped(pid) for pid in started)


def test_cli_serial_flag_gives_the_same_output(tmp_path):
    path = tmp_path / "m.json"
    save_model(generate_model(700, seed=3), path)
    runner = CliRunner()
    default = runner.invoke(cli, ["analyze", str(path), "--format", "json", "--only", "centrality"])
    serial = runner.invoke(cli, ["analyze", str(path), "--format", "json", "--only", "centrality", "--serial"])
    assert default.exit_code == 0 and serial.exit_code == 0, default.output + serial.output
    assert default.output == serial.output
    assert json.loads(serial.output)["centrality"]["nodes"][0]["betweenness"] >= 0
    whatif = runner.invoke(cli, ["whatif", str(path), "--remove", "sat-001", "--serial", "--format", "json"])
    assert whatif.exit_code == 0, whatif.output
    help_text = " ".join(runner.invoke(cli, ["analyze", "--help"]).output.split())
    assert "--serial Compute everything in this process." in help_text and "second process" in help_text
