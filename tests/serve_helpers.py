"""Run `designdoc serve` in a subprocess for tests: start, find its URL, talk raw HTTP, stop."""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path


class Served:
    """A running `designdoc serve` on a free port; its stderr lines are collected."""

    def __init__(self, args: list[str], cwd: Path, env: dict[str, str] | None = None) -> None:
        environment = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "designdoc", "serve", "--port", "0", *args],
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=environment,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        line = self.wait_for(r"Serving http://", timeout=60)
        self.url = re.search(r"(http://\S+?)/? ", line)[1]
        self.port = int(self.url.rsplit(":", 1)[1])

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def wait_for(self, pattern: str, timeout: float = 30) -> str:
        """Return the next output line matching `pattern`; AssertionError after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                if self.process.poll() is not None and self.lines.empty():
                    break
                continue
            self.output.append(line)
            if re.search(pattern, line):
                return line
        raise AssertionError(f"no line matching {pattern!r}; output so far: {''.join(self.output)}")

    def raw_get(self, target: str) -> int:
        """Send `GET target` exactly as written (no client normalising) and return the status code."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as sock:
            sock.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode("latin-1"))
            head = sock.recv(64).decode("latin-1")
        return int(head.split()[1])

    def stop(self) -> int:
        """Send Ctrl-C (SIGINT) and return the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def basic_project(tmp_path: Path) -> Path:
    """Return a project folder: the basic site fixture's docs and a config naming them."""
    from site_helpers import copy_fixture

    docs = copy_fixture("basic", tmp_path)
    (docs.parent / "designdoc.toml").write_text('paths = ["docs"]\n')
    return docs.parent
