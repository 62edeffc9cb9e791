"""The served API against careless and hostile clients: big bodies, stalled watchers, half-sent
requests, and web pages on other origins.

kube-apiserver's own bounds are the model: a 3 MiB request body limit answered with 413, header
and idle timeouts (32 s / 90 s), and a watcher that cannot keep up is closed (the stream ends and
the client relists) instead of buffering without end.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator

import pytest

import reference_impl.apiserver.http as H
from tests.http.conftest import ServedEnv

NS = "/api/v1/namespaces/default"
JSON = {"Content-Type": "application/json"}


def configmap(name: str, size: int) -> dict[str, object]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"k": "x" * size}}


def test_a_body_over_the_limit_is_answered_413_not_reset(served: ServedEnv) -> None:
    # the fixture's limit is 256 KiB; the client sends 8 MiB and must still read the answer
    code, out = served.json("POST", NS + "/configmaps", configmap("huge", 8 << 20), JSON)
    assert code == 413 and out["reason"] == "RequestEntityTooLarge"
    assert out["message"] == f"Request entity too large: limit is {256 * 1024}"
    assert served.request("GET", "/healthz")[0] == 200


@pytest.fixture
def small_watch_limits(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(H, "WATCH_QUEUE_EVENTS", 5)
    monkeypatch.setattr(H, "WATCH_QUEUE_BYTES", 256 << 10)
    monkeypatch.setattr(H, "WATCH_BATCH_BYTES", 4 << 10)
    yield


def _stalled_watch(served: ServedEnv, path: str) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", served.port))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.sendall(f"GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
    return s


def test_a_watcher_that_stops_reading_is_closed_and_others_go_on(served: ServedEnv, small_watch_limits: None) -> None:
    assert served.json("POST", NS + "/configmaps", configmap("big", 200_000), JSON)[0] == 201
    stalled = [_stalled_watch(served, NS + "/configmaps?watch=1") for _ in range(3)]
    try:
        time.sleep(0.3)
        for i in range(60):  # 12 MB per watcher: more than the kernel's socket buffers take
            body = configmap("big", 200_000)
            body["data"] = {"k": str(i) + "x" * 200_000}
            assert served.json("PUT", NS + "/configmaps/big", body, JSON)[0] == 200
        deadline = time.time() + 10
        while served.server.slow_watchers_closed < 3 and time.time() < deadline:
            time.sleep(0.1)
        assert served.server.slow_watchers_closed == 3
        assert served.server.watch_bytes_queued == 0  # what they had not sent was dropped
        # and the server still answers everyone else
        assert served.json("GET", NS + "/configmaps/big")[0] == 200
    finally:
        for s in stalled:
            s.close()


def test_a_request_whose_header_never_ends_is_dropped(served: ServedEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(H, "HEADER_TIMEOUT_S", 0.3)
    s = socket.create_connection(("127.0.0.1", served.port))
    try:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: local")
        s.settimeout(5)
        t = time.time()
        assert s.recv(100) == b""  # closed, without an answer, as Go's ReadHeaderTimeout does
        assert time.time() - t < 3
        assert served.request("GET", "/healthz")[0] == 200
    finally:
        s.close()


def _post_with(served: ServedEnv, headers: dict[str, str]) -> tuple[int, dict[str, object]]:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", served.port, timeout=10)
    try:
        body = json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"generateName": "o-"}}).encode()
        conn.putrequest("POST", NS + "/configmaps", skip_host=True)
        for k, v in {**headers, "Content-Type": "application/json", "Content-Length": str(len(body))}.items():
            conn.putheader(k, v)
        conn.endheaders(body)
        r = conn.getresponse()
        return r.status, json.loads(r.read())
    finally:
        conn.close()


def test_other_origins_and_rebound_names_are_refused(served: ServedEnv) -> None:
    port = served.port
    code, out = _post_with(served, {"Host": f"evil.example:{port}"})
    assert code == 403 and out["reason"] == "Forbidden"
    code, out = _post_with(served, {"Host": f"127.0.0.1:{port}", "Origin": "https://evil.example"})
    assert (code, out["message"]) == (403, 'forbidden: cross-origin request from "https://evil.example" refused')
    code, _ = _post_with(served, {"Host": f"127.0.0.1:{port}", "Sec-Fetch-Site": "cross-site"})
    assert code == 403
    for ok in ({"Host": f"localhost:{port}"}, {"Host": f"127.0.0.1:{port}", "Origin": f"http://localhost:{port}"},
               {"Host": f"[::1]:{port}"}):
        assert _post_with(served, ok)[0] == 201, ok
    # a form post (text/plain, what a page may send without asking) is not a Kubernetes body
    code, out = served.json("POST", NS + "/configmaps", "{}", {"Content-Type": "text/plain"})
    assert code == 415
