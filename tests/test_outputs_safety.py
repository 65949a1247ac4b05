"""Outputs never clobber: symlinks are written through, devices/FIFOs are refused untouched, a file's mode
is kept, multi-file outputs (CSV pair, Markdown report + SVGs) appear together or not at all, and no
temporary file outlives a failure, Ctrl-C, SIGTERM, or (on the next write) a SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from ecosystem_graph import fileio
from ecosystem_graph.cli import cli
from ecosystem_graph.errors import OutputError
from ecosystem_graph.fileio import (atomic_outputs, output_target, remove_stale_temporaries, save_model,
                                    write_text_atomic)
from tests.render_models import shop_model

REFUSED = "not a regular file; ecograph writes only regular files and never replaces anything else"


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def model(tmp_path) -> str:
    """The shop model (7 nodes, 10 relationships) in a folder of its own."""
    path = tmp_path / "in" / "shop.yaml"
    path.parent.mkdir()
    save_model(shop_model(), path)
    return str(path)


def _looks_like_html(text: str) -> bool:
    return text.startswith("<!DOCTYPE html>") and "Online shop" in text


def _looks_like_model(text: str) -> bool:
    return "nodes:" in text and "relationships:" in text


# (command line with OUT for the output, suffix of the output, a check of what was written)
COMMANDS = {
    "render": (["render", "{model}", "-o", "{out}", "--size-by", "degree"], ".html", _looks_like_html),
    "render-svg": (["render", "{model}", "-o", "{out}", "--size-by", "degree"], ".svg",
                   lambda text: text.startswith("<?xml") and "<svg" in text and "Online shop" in text),
    "report": (["report", "{model}", "-o", "{out}"], ".html", _looks_like_html),
    "export": (["export", "{model}", "--format", "graphml", "-o", "{out}"], ".graphml",
               lambda text: text.startswith("<?xml") and "Online shop" in text),
    "generate": (["generate", "--nodes", "20", "-o", "{out}"], ".yaml", _looks_like_model),
    "schema": (["schema", "-o", "{out}"], ".json", lambda text: "properties" in json.loads(text)),
    "init": (["init", "{out}", "--force"], ".yaml", _looks_like_model),
    "import": (["import", "{csv}", "-o", "{out}", "--currency", "EUR", "--period", "2024"], ".yaml",
               lambda text: "Online shop" in text),
}


def _args(name: str, model: str, out: Path) -> list[str]:
    csv_dir = str(Path(model).parent / "csv")
    if name == "import" and not os.path.isdir(csv_dir):
        assert CliRunner().invoke(cli, ["export", model, "--format", "csv", "-o", csv_dir]).exit_code == 0
    return [a.format(model=model, out=out, csv=csv_dir) for a in COMMANDS[name][0]]


def _listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# --------------------------------------------------------------------------------------- symlinks


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_output_through_a_symlink_replaces_its_target_and_the_link_stays(runner, model, tmp_path, name):
    suffix, check = COMMANDS[name][1], COMMANDS[name][2]
    real = tmp_path / "real" / f"target{suffix}"
    real.parent.mkdir()
    real.write_text("old")
    link = tmp_path / "out" / f"link{suffix}"
    link.parent.mkdir()
    link.symlink_to(real)
    r = runner.invoke(cli, _args(name, model, link))
    assert r.exit_code == 0, r.output
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert check(real.read_text(encoding="utf-8"))
    assert _listing(link.parent) == [link.name]  # no temporary left beside the link
    assert _listing(real.parent) == [real.name]  # nor beside the target


def test_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "link.txt"
    link.symlink_to(tmp_path / "new.txt")
    write_text_atomic(link, "hello\n")
    assert link.is_symlink() and (tmp_path / "new.txt").read_text() == "hello\n"


def test_symlink_loop_and_directory_are_refused_with_one_line(runner, model, tmp_path):
    loop = tmp_path / "loop.html"
    loop.symlink_to(loop)
    r = runner.invoke(cli, ["render", model, "-o", str(loop)])
    assert (r.exit_code, r.stderr) == (1, f"Error: {loop}: is a symlink loop, not a file\n")
    folder = tmp_path / "dir.graphml"
    folder.mkdir()
    with pytest.raises(OutputError, match=r"dir.graphml: is a directory; give a file name$"):
        output_target(folder)


def test_markdown_report_through_a_symlink_puts_its_charts_beside_the_target(runner, model, tmp_path):
    real = tmp_path / "real" / "client.md"
    real.parent.mkdir()
    link = tmp_path / "out" / "report.md"
    link.parent.mkdir()
    link.symlink_to(real)
    r = runner.invoke(cli, ["report", model, "-o", str(link)])
    assert r.exit_code == 0, r.output
    assert _listing(link.parent) == ["report.md"]
    svgs = [n for n in _listing(real.parent) if n.endswith(".svg")]
    assert svgs and all(n.startswith("client-") for n in svgs)
    text = real.read_text()
    assert all(f"]({n})" in text for n in svgs)  # the .md links every chart by its name beside it


# ---------------------------------------------------------------------------- devices, FIFOs


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_fifo_is_refused_and_left_a_fifo(runner, model, tmp_path, name):
    fifo = tmp_path / "out" / f"pipe{COMMANDS[name][1]}"
    fifo.parent.mkdir()
    os.mkfifo(fifo)
    r = runner.invoke(cli, _args(name, model, fifo))
    assert (r.exit_code, r.stderr) == (1, f"Error: {fifo}: is a FIFO (named pipe), {REFUSED}\n")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert _listing(fifo.parent) == [fifo.name]


def _device_identity(path: str) -> tuple[int, int, int]:
    st = os.lstat(path)
    return stat.S_IFMT(st.st_mode), st.st_rdev, st.st_ino


@pytest.mark.parametrize("device", ["/dev/null", "/dev/full"])
@pytest.mark.parametrize("name", sorted(set(COMMANDS) - {"import"}))  # import wants a .yaml/.json name
def test_character_devices_are_refused_and_left_untouched(runner, model, name, device):
    before = _device_identity(device)
    assert stat.S_ISCHR(before[0])
    # Guard first: should the library ever stop refusing, fail here instead of replacing the device.
    with pytest.raises(OutputError):
        output_target(device)
    r = runner.invoke(cli, _args(name, model, Path(device)))
    assert (r.exit_code, r.stderr) == (1, f"Error: {device}: is a character device, {REFUSED}\n")
    assert _device_identity(device) == before
    assert not [n for n in os.listdir("/dev") if n.startswith(f".{Path(device).name}.")]


def test_a_symlink_to_a_device_is_refused_too(runner, model, tmp_path):
    link = tmp_path / "out.html"
    link.symlink_to("/dev/null")
    before = _device_identity("/dev/null")
    r = runner.invoke(cli, ["render", model, "-o", str(link)])
    assert (r.exit_code, r.stderr) == (1, f"Error: {link}: is a character device, {REFUSED}\n")
    assert _device_identity("/dev/null") == before and link.is_symlink()


# --------------------------------------------------------------------------------- permissions


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_overwriting_keeps_the_files_permission_bits(runner, model, tmp_path, name):
    out = tmp_path / "out" / f"private{COMMANDS[name][1]}"
    out.parent.mkdir()
    out.write_text("old")
    os.chmod(out, 0o600)
    r = runner.invoke(cli, _args(name, model, out))
    assert r.exit_code == 0, r.output
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    assert COMMANDS[name][2](out.read_text(encoding="utf-8"))


def test_modes_kept_through_a_link_and_new_files_follow_the_umask(tmp_path):
    real = tmp_path / "shared.txt"
    real.write_text("old")
    os.chmod(real, 0o640)
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    write_text_atomic(link, "new")
    assert stat.S_IMODE(os.stat(real).st_mode) == 0o640 and real.read_text() == "new"
    old_umask = os.umask(0o027)
    try:
        write_text_atomic(tmp_path / "fresh.txt", "x")
        write_text_atomic(tmp_path / "setuid.txt", "x")
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(os.stat(tmp_path / "fresh.txt").st_mode) == 0o640  # 0666 & ~0027
    os.chmod(tmp_path / "setuid.txt", 0o4755)
    write_text_atomic(tmp_path / "setuid.txt", "y")
    assert stat.S_IMODE(os.stat(tmp_path / "setuid.txt").st_mode) == 0o755  # set-id bits never carried over


# ----------------------------------------------------------------------- the CSV pair, re-exported


def test_csv_export_into_an_existing_directory_with_a_trailing_slash_runs_twice(runner, model, tmp_path):
    folder = tmp_path / "shop-csv"
    expected = (f"Exported 7 nodes and 10 relationships as csv to {folder}/nodes.csv and "
                f"{folder}/relationships.csv\n")
    for _ in range(2):
        r = runner.invoke(cli, ["export", model, "--format", "csv", "-o", f"{folder}/"])
        assert (r.exit_code, r.stdout, r.stderr) == (0, expected, "")
    assert _listing(folder) == ["nodes.csv", "relationships.csv"]
    assert len((folder / "nodes.csv").read_text().splitlines()) == 1 + 7
    assert len((folder / "relationships.csv").read_text().splitlines()) == 1 + 10
    r = runner.invoke(cli, ["export", model, "--format", "graphml", "-o", f"{folder}/"])
    assert (r.exit_code, r.stderr) == (1, f"Error: {folder}/: is a directory; give a file name\n")


def test_csv_pair_is_written_together_or_not_at_all(runner, model, tmp_path):
    folder = tmp_path / "pair"
    folder.mkdir()
    (folder / "nodes.csv").write_text("old nodes")
    os.mkfifo(folder / "relationships.csv")  # the second file cannot be written
    r = runner.invoke(cli, ["export", model, "--format", "csv", "-o", str(folder)])
    assert (r.exit_code, r.stderr) == (
        1, f"Error: {folder / 'relationships.csv'}: is a FIFO (named pipe), {REFUSED}\n")
    assert (folder / "nodes.csv").read_text() == "old nodes"  # no new nodes.csv beside an old relationships
    assert _listing(folder) == ["nodes.csv", "relationships.csv"]


# ------------------------------------------------------------------ the Markdown report and its SVGs


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def _other_model(tmp_path: Path) -> str:
    data = shop_model().to_data()
    data["name"] = "Another shop"
    data["relationships"][5]["amount"] = 250  # buyers PAY the shop ten times more: other charts
    path = tmp_path / "in" / "other.yaml"
    save_model(type(shop_model()).model_validate(data), path)
    return str(path)


def test_markdown_report_failing_midway_leaves_the_old_report_and_charts(runner, model, tmp_path):
    out = tmp_path / "out" / "report.md"
    out.parent.mkdir()
    assert runner.invoke(cli, ["report", model, "-o", str(out)]).exit_code == 0
    svgs = sorted(n for n in _listing(out.parent) if n.endswith(".svg"))
    assert len(svgs) >= 3
    # The last chart's name is taken by a directory: charts before it are rendered and staged first.
    blocked = out.parent / svgs[-1]
    blocked.unlink()
    blocked.mkdir()
    before = _snapshot(out.parent)
    r = runner.invoke(cli, ["report", _other_model(tmp_path), "-o", str(out)])
    assert (r.exit_code, r.stderr) == (1, f"Error: {blocked}: is a directory; give a file name\n")
    assert _snapshot(out.parent) == before
    assert _listing(out.parent) == sorted([*before, blocked.name])  # and no temporary
    assert blocked.is_dir()


def test_markdown_report_interrupted_by_ctrl_c_changes_nothing(runner, model, tmp_path, monkeypatch):
    out = tmp_path / "out" / "report.md"
    out.parent.mkdir()
    assert runner.invoke(cli, ["report", model, "-o", str(out)]).exit_code == 0
    before = _snapshot(out.parent)
    real_write_text = fileio.OutputBatch.write_text
    calls = []

    def interrupted_on_the_third_file(self, path, text):
        calls.append(path)
        if len(calls) == 3:
            raise KeyboardInterrupt
        real_write_text(self, path, text)

    monkeypatch.setattr(fileio.OutputBatch, "write_text", interrupted_on_the_third_file)
    r = runner.invoke(cli, ["report", _other_model(tmp_path), "-o", str(out)])
    assert r.exit_code == 130 and len(calls) == 3
    assert _snapshot(out.parent) == before  # same names, same bytes: no new SVG beside the old .md


def test_markdown_report_publishes_the_md_last(runner, model, tmp_path, monkeypatch):
    out = tmp_path / "report.md"
    renamed: list[str] = []
    real_replace = os.replace

    def recording_replace(src, dst):
        renamed.append(Path(dst).name)
        return real_replace(src, dst)

    monkeypatch.setattr(fileio.os, "replace", recording_replace)
    assert runner.invoke(cli, ["report", model, "-o", str(out)]).exit_code == 0
    assert renamed[-1] == "report.md" and len(renamed) >= 2
    assert sorted(renamed[:-1]) == sorted(n for n in _listing(tmp_path) if n.endswith(".svg"))


# ----------------------------------------------------------------------------- atomic_outputs


def test_atomic_outputs_on_any_error_removes_every_temporary_and_changes_nothing(tmp_path):
    (tmp_path / "a.csv").write_text("old a")
    for error in (ValueError("boom"), KeyboardInterrupt()):
        with pytest.raises(type(error)):
            with atomic_outputs() as batch:
                batch.write_text(tmp_path / "a.csv", "new a")
                batch.write_text(tmp_path / "b.csv", "new b")
                assert len([n for n in _listing(tmp_path) if n.endswith(".tmp")]) == 2
                raise error
        assert _listing(tmp_path) == ["a.csv"] and (tmp_path / "a.csv").read_text() == "old a"


def test_a_signal_during_publishing_waits_until_every_file_is_renamed(tmp_path, monkeypatch):
    class Stop(BaseException):
        pass

    def stop(signum, frame):
        raise Stop

    previous = signal.signal(signal.SIGTERM, stop)
    real_replace = os.replace
    renamed: list[str] = []

    def replace_then_signal(src, dst):
        real_replace(src, dst)
        renamed.append(Path(dst).name)
        if len(renamed) == 1:
            os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(fileio.os, "replace", replace_then_signal)
    try:
        with pytest.raises(Stop):
            with atomic_outputs() as batch:
                for name in ("one.svg", "two.svg", "report.md"):
                    batch.write_text(tmp_path / name, name)
    finally:
        signal.signal(signal.SIGTERM, previous)
    # the handler ran, but only after all three renames
    assert renamed == ["one.svg", "two.svg", "report.md"]
    assert _listing(tmp_path) == ["one.svg", "report.md", "two.svg"]


# ----------------------------------------------------------------------- stale temporaries


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_stale_temporaries_of_dead_processes_are_removed_on_the_next_write(tmp_path):
    dead = tmp_path / f".out.html.{_dead_pid()}.ab12cd34.tmp"
    alive_proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        alive = tmp_path / f".out.html.{alive_proc.pid}.zz99yy88.tmp"
        mine = tmp_path / f".out.html.{os.getpid()}.qq11ww22.tmp"
        other_target = tmp_path / f".other.html.{_dead_pid()}.ab12cd34.tmp"
        not_ours = tmp_path / ".out.html.notapid.tmp"
        for p in (dead, alive, mine, other_target, not_ours):
            p.write_text("partial")
        assert remove_stale_temporaries(tmp_path / "out.html") == [dead]
        dead.write_text("partial")
        write_text_atomic(tmp_path / "out.html", "complete")
        assert _listing(tmp_path) == sorted(p.name for p in (alive, mine, other_target, not_ours)) + ["out.html"]
    finally:
        alive_proc.kill()
        alive_proc.wait()


ECOGRAPH = [sys.executable, "-c", "import sys; sys.argv[0] = 'ecograph'; from ecosystem_graph.cli import main; main()"]


def _start_big_generate(folder: Path) -> tuple[subprocess.Popen, Path]:
    """Start `ecograph generate` of a million nodes (about 500 MB, 20 s of work) and return once
    its temporary file holds data, i.e. in the middle of writing."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    proc = subprocess.Popen([*ECOGRAPH, "generate", "--nodes", "1000000", "-o", str(folder / "big.yaml")],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    prefix = f".big.yaml.{proc.pid}."
    for _ in range(1200):  # at most 2 minutes: a hung start fails the test instead of blocking it
        temps = [p for p in folder.iterdir() if p.name.startswith(prefix) and p.name.endswith(".tmp")]
        if temps and temps[0].stat().st_size > 0:
            return proc, temps[0]
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.1)
    proc.kill()
    pytest.fail("generate wrote nothing within 2 minutes")


def test_sigterm_mid_write_removes_the_temporary_and_exits_143(tmp_path):
    proc, temp = _start_big_generate(tmp_path)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert b"Traceback" not in err
    assert _listing(tmp_path) == []  # no big.yaml, no temporary


def test_sigkill_leftover_is_removed_when_the_output_is_written_again(runner, tmp_path):
    proc, temp = _start_big_generate(tmp_path)
    proc.kill()
    proc.wait()
    assert _listing(tmp_path) == [temp.name]  # SIGKILL: nothing could clean up
    r = runner.invoke(cli, ["generate", "--nodes", "20", "-o", str(tmp_path / "big.yaml")])
    assert r.exit_code == 0, r.output
    assert _listing(tmp_path) == ["big.yaml"]


# --------------------------------------------------------------------------------- db pull -o


def test_db_pull_writes_through_a_symlink_keeps_the_mode_and_refuses_a_fifo(model, tmp_path, fresh_database):
    s = fresh_database
    env = {"NEO4J_URI": s.uri, "NEO4J_USERNAME": s.user, "NEO4J_PASSWORD": s.password, "NEO4J_DATABASE": s.database}
    runner = CliRunner()
    assert runner.invoke(cli, ["db", "push", model, "--name", "shop"], env=env).exit_code == 0
    real = tmp_path / "real.yaml"
    real.write_text("old")
    os.chmod(real, 0o600)
    link = tmp_path / "pulled.yaml"
    link.symlink_to(real)
    r = runner.invoke(cli, ["db", "pull", "shop", "-o", str(link)], env=env)
    assert r.exit_code == 0, r.output
    assert link.is_symlink() and stat.S_IMODE(os.stat(real).st_mode) == 0o600
    assert real.read_text() == Path(model).read_text()  # lossless round trip of the same model text
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    r = runner.invoke(cli, ["db", "pull", "shop", "-o", str(fifo)], env=env)
    assert (r.exit_code, r.stderr) == (1, f"Error: {fifo}: is a FIFO (named pipe), {REFUSED}\n")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


# ------------------------------------------------------------------- more of the README's promises


def test_sighup_mid_write_removes_the_temporary_and_exits_129(tmp_path):
    proc, temp = _start_big_generate(tmp_path)
    proc.send_signal(signal.SIGHUP)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 128 + signal.SIGHUP, err  # 129
    assert b"Traceback" not in err
    assert _listing(tmp_path) == []  # no big.yaml, no temporary


def test_replacing_is_a_rename_so_a_hard_link_keeps_the_old_content(runner, model, tmp_path):
    out = tmp_path / "out.graphml"
    out.write_text("old content")
    other = tmp_path / "other-name.graphml"
    os.link(out, other)
    r = runner.invoke(cli, ["export", model, "--format", "graphml", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert other.read_text() == "old content"
    assert out.read_text(encoding="utf-8").startswith("<?xml") and not os.path.samefile(out, other)


def test_a_socket_is_refused_and_left_a_socket(runner, model):
    import socket
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="sock", dir="/tmp"))  # AF_UNIX paths are short (108 bytes)
    path = folder / "out.html"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.bind(str(path))
        r = runner.invoke(cli, ["render", model, "-o", str(path)])
        assert (r.exit_code, r.stderr) == (1, f"Error: {path}: is a socket, {REFUSED}\n")
        assert stat.S_ISSOCK(os.lstat(path).st_mode)
        assert _listing(folder) == ["out.html"]  # no temporary beside it
    path.unlink()
    folder.rmdir()


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_dash_is_refused_and_no_file_named_dash_appears(runner, model, tmp_path, monkeypatch, name):
    # '-o -' usually means standard output; a file called '-' in the working directory is never wanted
    monkeypatch.chdir(tmp_path)
    r = runner.invoke(cli, _args(name, model, Path("-")))
    if name == "import":  # refused earlier, for its name: an imported model is a .yaml or .json file
        assert (r.exit_code, r.stderr) == (2, "Error: -o -: the model file must end in .yaml, .yml or .json\n")
    else:
        assert (r.exit_code, r.stdout) == (1, "")
        assert r.stderr == "Error: -o -: ecograph writes to a file, not to standard output; give a file name\n"
    assert not os.path.lexists(tmp_path / "-")


def test_csv_export_refuses_dash_too(runner, model, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = runner.invoke(cli, ["export", model, "--format", "csv", "-o", "-"])
    assert (r.exit_code, r.stdout) == (1, "")
    assert r.stderr == "Error: -o -: ecograph writes to a file, not to standard output; give a file name\n"
    assert not os.path.lexists(tmp_path / "-")
