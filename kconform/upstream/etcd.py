"""A private etcd on loopback: the store of ``kconform serve --store etcd`` and of the tests.

Which etcd: the one ``kconform upstream build`` made (the release the pinned Kubernetes uses,
in :func:`kconform.upstream.build.bin_dir`), else Debian's ``etcd-server`` package
(``/usr/bin/etcd``, etcd 3.4), else :class:`BackendUnavailable` with one line saying what to
install. ``$KCONFORM_ETCD_BINARY`` names another binary.

How it runs: a fresh temporary data folder, client and peer ports picked free on 127.0.0.1, no
fsync (the data folder goes at exit anyway), ``PR_SET_PDEATHSIG`` so that it dies with the
process that started it even on SIGKILL, ready once ``/health`` says so. :meth:`LocalEtcd.stop`
sends SIGTERM, then SIGKILL, and removes the folder. The process management lives here, not in
``reference_impl``, which starts no processes: the store only gets the URL.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from types import TracebackType

from kconform.errors import BackendUnavailable, KconformError
from kconform.upstream import build
from kconform.upstream.cluster import Process, _free_port, log_tail

DEBIAN_ETCD = Path("/usr/bin/etcd")
START_TIMEOUT_S = 30.0
MISSING = ("no etcd binary: run 'kconform upstream build' (it builds etcd with the control plane) "
           "or 'apt-get install etcd-server'")


def find_binary() -> Path:
    """The etcd to run (see the module docstring), or BackendUnavailable saying what to install."""
    explicit = os.environ.get("KCONFORM_ETCD_BINARY")
    if explicit:
        if not os.access(explicit, os.X_OK):
            raise BackendUnavailable(f"$KCONFORM_ETCD_BINARY={explicit!r} is not an executable file")
        return Path(explicit)
    for candidate in (build.bin_dir() / "etcd", DEBIAN_ETCD):
        if os.access(candidate, os.X_OK):
            return candidate
    raise BackendUnavailable(MISSING)


def version(binary: Path) -> str:
    """``3.6.8`` from ``etcd --version``'s first line (``etcd Version: 3.6.8``)."""
    out = subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=30, check=False)
    first = (out.stdout.splitlines() or [""])[0]
    return first.rsplit(":", 1)[-1].strip() or "unknown"


class LocalEtcd:
    """One etcd process on loopback, with its data in a temporary folder; a context manager."""

    def __init__(self, binary: Path | None = None) -> None:
        self.binary = binary or find_binary()
        self.url = ""
        self._dir: Path | None = None
        self._process: Process | None = None

    def start(self) -> LocalEtcd:
        self._dir = Path(tempfile.mkdtemp(prefix="kconform-etcd-"))
        client, peer = _free_port(), _free_port()
        self.url = f"http://127.0.0.1:{client}"
        peer_url = f"http://127.0.0.1:{peer}"
        self._process = Process("etcd", [
            str(self.binary), "--name=kconform", f"--data-dir={self._dir / 'data'}",
            f"--listen-client-urls={self.url}", f"--advertise-client-urls={self.url}",
            f"--listen-peer-urls={peer_url}", f"--initial-advertise-peer-urls={peer_url}",
            f"--initial-cluster=kconform={peer_url}",
            # zap is etcd 3.4's opt-in logger and 3.5+'s only one; --log-level needs it on 3.4
            "--unsafe-no-fsync", "--logger=zap", "--log-level=warn",
        ], self._dir / "etcd.log")
        self._process.start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while not self._healthy():
            died = self._process.died()
            if died is not None:
                self.stop()
                raise KconformError(died)
            if time.monotonic() > deadline:
                tail = log_tail(self._dir / "etcd.log")
                self.stop()
                raise KconformError(f"etcd was not healthy within {START_TIMEOUT_S:.0f} s; its log:\n{tail}")
            time.sleep(0.05)
        return self

    def _healthy(self) -> bool:
        try:
            with urllib.request.urlopen(self.url + "/health", timeout=2) as resp:
                return bool(json.loads(resp.read()).get("health") == "true")
        except (OSError, ValueError):
            return False

    def stop(self) -> None:
        """Stop etcd (SIGTERM, then SIGKILL) and remove its data folder; safe to call twice."""
        if self._process is not None:
            self._process.terminate()
            self._process = None
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def __enter__(self) -> LocalEtcd:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
