"""No controller work on the request path: the simulation runs in bounded slices between requests.

A request is answered while the simulation has endless work at the current instant (it used to
run that work inside the request, so one request for 2^31 replicas wedged the server), and
``kconform serve`` honours SIGTERM mid-reconcile.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from reference_impl.sim import EventLoop
from tests.http.conftest import ServedEnv


def test_run_until_stops_after_its_budget_and_says_whether_work_remains() -> None:
    loop = EventLoop()
    ran: list[int] = []
    for i in range(10):
        loop.call_soon(ran.append, i)
    loop.call_later(5.0, ran.append, 99)
    assert loop.run_until(1.0, 4) is False and ran == [0, 1, 2, 3] and loop.now() == 0.0
    assert loop.run_until(1.0, 6) is True and ran == list(range(10))
    assert loop.now() == 1.0  # everything due ran: the clock is at the deadline, as without a budget
    assert loop.run_until(10.0) is True and ran[-1] == 99


def test_requests_are_answered_while_the_simulation_is_flooded(served: ServedEnv) -> None:
    flood = {"n": 0, "stop": 0}

    def again() -> None:  # endless work at one instant, as 2^31 replicas would make
        flood["n"] += 1
        if not flood["stop"]:
            served.env.loop.call_soon(again)

    served.call(lambda: served.env.loop.call_soon(again))
    try:
        for _ in range(5):
            t = time.perf_counter()
            code, _h, body = served.request("GET", "/healthz", timeout=5)
            assert (code, body) == (200, b"ok")
            assert time.perf_counter() - t < 1.0
        before = flood["n"]
        time.sleep(0.1)
        assert flood["n"] > before  # and the simulation keeps running between requests
    finally:
        flood["stop"] = 1


def test_serve_stops_on_sigterm_in_the_middle_of_a_reconcile(tmp_path: Path) -> None:
    kubeconfig = tmp_path / "kubeconfig"
    proc = subprocess.Popen(
        [sys.executable, "-c", "from kconform.cli import main; import sys; sys.exit(main())",
         "serve", "--nodes", "2", "--kubeconfig", str(kubeconfig)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        url = ""
        for line in proc.stdout:
            if "serving at" in line:
                url = line.rsplit(" ", 1)[1].strip()
                break
        host, port = url.removeprefix("http://").rsplit(":", 1)
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        dep = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "big"},
               "spec": {"replicas": 3000, "selector": {"matchLabels": {"a": "b"}},
                        "template": {"metadata": {"labels": {"a": "b"}},
                                     "spec": {"containers": [{"name": "c", "image": "busybox"}]}}}}
        conn.request("POST", "/apis/apps/v1/namespaces/default/deployments", json.dumps(dep),
                     {"Content-Type": "application/json"})
        assert conn.getresponse().status == 201
        time.sleep(0.5)  # the replica sets are being filled now
        t = time.perf_counter()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0
        assert time.perf_counter() - t < 5.0  # well within 1 s on a quiet machine
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
