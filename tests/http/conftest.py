"""Fixtures: the HTTP API server on a private asyncio loop in a background thread.

The server itself is pure asyncio; only the tests need a thread, so that blocking clients
(``http.client``, the official client, kubectl) can talk to it. Anything that touches the
simulation from the test thread goes through :meth:`ServedEnv.call`, which runs it on the loop.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import http.client
import json
import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest

from reference_impl.apiserver.http import HttpApiServer, drive
from tests.simenv import SimEnv

T = TypeVar("T")


class ServedEnv:
    def __init__(self, env: SimEnv, on_fault: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
                 max_body_bytes: int = 3 * 1024 * 1024) -> None:
        self.env = env
        self.loop = asyncio.new_event_loop()
        self.server = HttpApiServer(env.api, on_fault=on_fault, max_body_bytes=max_body_bytes)
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._drive: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.server.start(), self.loop).result(10)

        async def start_drive() -> None:
            self._drive = asyncio.ensure_future(drive(self.env.loop, speed=1.0, wake=self.server.work_ready))

        asyncio.run_coroutine_threadsafe(start_drive(), self.loop).result(10)

    def stop(self) -> None:
        async def stop() -> None:
            if self._drive is not None:
                self._drive.cancel()
                await asyncio.gather(self._drive, return_exceptions=True)
            await self.server.stop()

        asyncio.run_coroutine_threadsafe(stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def port(self) -> int:
        return self.server.port

    def call(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` on the server's loop (the simulation's only thread) and return its result."""
        fut: concurrent.futures.Future[T] = concurrent.futures.Future()

        def run() -> None:
            try:
                fut.set_result(fn())
            except BaseException as e:
                fut.set_exception(e)

        self.loop.call_soon_threadsafe(run)
        return fut.result(10)

    def request(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None, timeout: float = 10
    ) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            data: bytes | None
            if body is None or isinstance(body, bytes):
                data = body
            elif isinstance(body, str):
                data = body.encode()
            else:
                data = json.dumps(body).encode()
            conn.request(method, path, body=data, headers=headers or {})
            resp = conn.getresponse()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
        finally:
            conn.close()

    def json(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> tuple[int, Any]:
        code, _h, data = self.request(method, path, body, headers)
        return code, json.loads(data) if data else None


@pytest.fixture
def served() -> Iterator[ServedEnv]:
    faults: list[dict[str, Any]] = []

    def on_fault(body: dict[str, Any]) -> dict[str, Any]:
        if body.get("fault") == "Bogus":
            raise ValueError("unknown fault Bogus")
        faults.append(body)
        return {"applied": body.get("fault"), "count": len(faults)}

    s = ServedEnv(SimEnv(), on_fault=on_fault, max_body_bytes=256 * 1024)
    s.start()
    try:
        yield s
    finally:
        s.stop()


@pytest.fixture(scope="module")
def served_module() -> Iterator[ServedEnv]:
    """One server for a whole module (hypothesis examples share it)."""
    env = SimEnv()
    env.node("node-1")
    env.pod("p", node_name="node-1")
    s = ServedEnv(env, on_fault=lambda body: {"ok": True}, max_body_bytes=64 * 1024)
    s.start()
    try:
        yield s
    finally:
        s.stop()
