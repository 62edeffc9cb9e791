"""No controller work on the request path: the simulation runs in bounded slices between requests.

A request is answered while the control plane reconciles 10,000 replicas (it used to run that
work inside the request, so one request for 2^31 replicas wedged the server), and
``kconform serve`` honours SIGTERM mid-reconcile.
"""

from __future__ import annotations

import http.client
import json
import signal
import time
from pathlib import Path

from reference_impl.sim import EventLoop
from tests.serve_process import start_serve


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


def test_serve_answers_during_a_big_reconcile_and_stops_on_sigterm(tmp_path: Path) -> None:
    """A separate process, as users run it (an in-process client thread would measure the GIL)."""
    proc, url, _ = start_serve([], tmp_path / "kubeconfig", nodes=2)
    try:
        host, port = url.removeprefix("http://").rsplit(":", 1)
        conn = http.client.HTTPConnection(host, int(port), timeout=30)

        def timed(method: str, path: str, body: object = None) -> tuple[int, float]:
            t = time.perf_counter()
            conn.request(method, path, json.dumps(body) if body is not None else None,
                         {"Content-Type": "application/json"} if body is not None else {})
            resp = conn.getresponse()
            resp.read()
            return resp.status, time.perf_counter() - t

        dep = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "big"},
               "spec": {"replicas": 10000, "selector": {"matchLabels": {"a": "b"}},
                        "template": {"metadata": {"labels": {"a": "b"}},
                                     "spec": {"containers": [{"name": "c", "image": "busybox"}]}}}}
        code, took = timed("POST", "/apis/apps/v1/namespaces/default/deployments", dep)
        # the request that makes 10,000 pods' worth of work does none of it (it used to take ~5 s)
        assert code == 201 and took < 2.0
        for _ in range(10):  # the replica sets are being filled meanwhile
            code, took = timed("GET", "/api/v1/namespaces/default/configmaps")
            assert code == 200 and took < 2.0  # a slice, or one sync of 500 pods, at most
            time.sleep(0.05)
        t = time.perf_counter()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0
        assert time.perf_counter() - t < 5.0  # ~0.8 s on a quiet machine
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
