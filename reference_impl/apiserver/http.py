"""The Kubernetes REST wire format over HTTP/1.1: what kubectl and the official client talk to.

Models the HTTP layer of kube-apiserver (``staging/src/k8s.io/apiserver/pkg/endpoints``:
``handlers/{get,create,update,patch,delete,watch}.go``, ``discovery``, ``handlers/negotiation``
and the ``metav1`` parameter codecs) in front of the in-process :class:`APIServer`:

* ``/version``, ``/healthz``, ``/readyz``, ``/livez``;
* discovery (legacy and aggregated ``apidiscovery.k8s.io/v2``), ``/openapi/v2`` and ``/openapi/v3``;
* REST paths ``/api/v1/...`` and ``/apis/<g>/<v>/...`` with every verb, the four patch content
  types, subresources (status, scale, binding, eviction, log, finalize), list options, dry run;
* bodies decoded into their type as the strict decoder does (:mod:`fieldvalidation`): unknown
  fields dropped, and ``fieldValidation`` Strict / Warn (the default, a ``Warning`` header) / Ignore;
* watch as a chunked stream of JSON lines, with bookmarks, 410 errors, ``timeoutSeconds``;
* server-side printing (``meta.k8s.io/v1`` Table, see :mod:`tables`) and PartialObjectMetadata;
* every error a ``metav1.Status`` with its HTTP code; an unexpected exception is logged and
  answered as a 500 Status (and counted in :attr:`HttpApiServer.internal_errors`);
* ``POST /kconform/v1/faults`` hands a fault description to ``on_fault`` (not a Kubernetes API:
  the kube backend and ``kconform chaos`` use it to inject faults into a served reference cluster).

It is pure asyncio (streams, no threads): the simulation runs in the same event loop, so the
control plane stays single-threaded. A request never runs the simulation: :func:`drive` runs it
in bounded slices between requests (woken by :attr:`HttpApiServer.work_ready` after each one),
advancing simulated time from the asyncio loop's clock. This module is the one place in
``reference_impl`` that reads real time: the driver, and the HTTP layer's own timeouts (watch
``timeoutSeconds``, header/idle/body/write timeouts), none of which the simulation sees.

Request bodies may also be ``application/vnd.kubernetes.protobuf`` (what kubectl's generators and
the Go clientsets send): :mod:`protobuf` turns them into the JSON a Go client would have sent.

Hardening, as kube-apiserver bounds its clients: 3 MiB bodies (413, heard by the client: the
connection lingers), 32 s header / 90 s idle / 60 s body and write timeouts, a bounded queue per
watcher (a watcher that falls behind is closed, as the cacher closes an unresponsive one), a
listen backlog of 1,024, and — bound to loopback, where it has no authentication — loopback
``Host`` names only and no writes from another web origin.

Leaves out: TLS and authentication (loopback only), protobuf responses, CBOR, HTTP/2, ``follow``
for logs.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import dataclasses
import http
import json
import logging
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import orjson

import reference_impl.apiserver.schema as _schema
from reference_impl.apiserver import discovery, protobuf, tables
from reference_impl.apiserver import fieldvalidation as _fields
from reference_impl.apiserver.errors import ApiError
from reference_impl.apiserver.openapi import OpenAPI
from reference_impl.apiserver.registry import ResourceInfo
from reference_impl.apiserver.server import APIServer
from reference_impl.sim import EventLoop

_dumps = orjson.dumps

log = logging.getLogger(__name__)
Obj = dict[str, Any]

VERSION_INFO: Obj = {
    "major": "1",
    "minor": "32",
    "gitVersion": "v1.32.0",
    "gitCommit": "70d3cc986aa8221cd1dfb1121852688902d3bf53",
    "gitTreeState": "clean",
    "buildDate": "2024-12-11T17:59:15Z",
    "goVersion": "go1.23.3",
    "compiler": "gc",
    "platform": "linux/amd64",
}
AGGREGATED_CT = "application/json;g=apidiscovery.k8s.io;v={v};as=APIGroupDiscoveryList"
PATCH_CONTENT_TYPES = (
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/strategic-merge-patch+json",
    "application/apply-patch+yaml",
)
# negotiation.NewUnsupportedMediaTypeError over the CodecFactory's serializers (CBOR is alpha, off)
BODY_CONTENT_TYPES = ("application/json", "application/yaml", protobuf.MEDIA_TYPE)
MAX_HEADER_BYTES = 1 << 20
DEFAULT_WATCH_TIMEOUT_S = 1800.0
#: kube-apiserver's http.Server: ReadHeaderTimeout 32 s, IdleTimeout 90 s (between keep-alive
#: requests); its 60 s request timeout bounds reading a body and writing an answer here.
HEADER_TIMEOUT_S = 32.0
IDLE_TIMEOUT_S = 90.0
BODY_TIMEOUT_S = 60.0
WRITE_TIMEOUT_S = 60.0
LISTEN_BACKLOG = 1024
#: After an answer that closes the connection early (413, 400 on a malformed request), what the
#: client is still sending is read and dropped for this long / this much before closing, so
#: that it hears the answer instead of a connection reset (Go's closeWriteAndWait).
LINGER_S = 2.0
LINGER_BYTES = 64 << 20
#: A watcher that falls behind is closed, as the cacher closes an unresponsive watcher: the
#: stream ends and the client relists. Per watcher: events or bytes not yet written (its
#: socket's send buffer included); all watchers together: bytes queued across the server.
WATCH_QUEUE_EVENTS = 1000
WATCH_QUEUE_BYTES = 16 << 20
WATCH_TOTAL_BYTES = 256 << 20
WATCH_BATCH_BYTES = 64 << 10
#: The encodings of recent watch events kept for the next watcher of the same event.
ENCODED_CACHE_EVENTS = 512
ENCODED_CACHE_BYTES = 32 << 20


# == small helpers =========================================================================
def status(code: int, reason: str, message: str, details: Obj | None = None) -> Obj:
    return ApiError(code, reason, message, details).status


def _not_found() -> ApiError:
    return ApiError(404, "NotFound", "the server could not find the requested resource", {})


def _method_not_allowed() -> ApiError:
    return ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource", {})


def _bad(message: str) -> ApiError:
    return ApiError(400, "BadRequest", message)


def query_bool(query: dict[str, list[str]], name: str) -> bool:
    """apimachinery ``Convert_Slice_string_To_bool``: absent, ``0`` or ``false`` (any case) is
    false; every other value, the empty string included, is true. The first value counts."""
    values = query.get(name)
    if not values:
        return False
    v = values[0]
    return not (v == "0" or v.lower() == "false")


def query_tristate(query: dict[str, list[str]], name: str) -> bool | None:
    """A ``*bool`` option: None when absent, else :func:`query_bool`'s reading."""
    return query_bool(query, name) if name in query else None


def query_str(query: dict[str, list[str]], name: str) -> str | None:
    values = query.get(name)
    return values[0] if values else None


def parse_int64(text: str) -> int:
    """Go's ``strconv.ParseInt(text, 10, 64)``: an optional sign and decimal digits, in int64;
    ValueError with Go's message (``strconv.ParseInt: parsing "x": invalid syntax`` or
    ``... value out of range``) otherwise."""
    digits = text[1:] if text[:1] in ("+", "-") else text
    if not digits or not digits.isascii() or not digits.isdigit():
        raise ValueError(f"strconv.ParseInt: parsing {json.dumps(text)}: invalid syntax")
    value = int(text)
    if not -(1 << 63) <= value < (1 << 63):
        raise ValueError(f"strconv.ParseInt: parsing {json.dumps(text)}: value out of range")
    return value


def query_int(query: dict[str, list[str]], name: str) -> int | None:
    """An int64 option as metav1's parameter codec reads it: a 400 with strconv's message."""
    v = query_str(query, name)
    if v is None or v == "":
        return None
    try:
        return parse_int64(v)
    except ValueError as e:
        raise _bad(str(e)) from None


def _media(value: str) -> tuple[str, dict[str, str]]:
    parts = [p.strip() for p in value.split(";")]
    params: dict[str, str] = {}
    for p in parts[1:]:
        if "=" in p:
            k, _, v = p.partition("=")
            params[k.strip().lower()] = v.strip().strip('"')
    return parts[0].lower(), params


def accepts(accept: str) -> list[tuple[str, dict[str, str]]]:
    return [_media(a) for a in accept.split(",") if a.strip()]


def wants_table(accept: str) -> bool:
    for mt, p in accepts(accept):
        if mt == "application/json" and p.get("as") == "Table" and p.get("g") == "meta.k8s.io":
            return True
        if mt in ("application/json", "*/*", "application/*") and "as" not in p:
            return False
    return False


def wants_partial(accept: str) -> str | None:
    for mt, p in accepts(accept):
        if mt == "application/json" and p.get("g") == "meta.k8s.io" and p.get("as") in (
            "PartialObjectMetadata",
            "PartialObjectMetadataList",
        ):
            return p["as"]
        if mt in ("application/json", "*/*") and "as" not in p:
            return None
    return None


def wants_aggregated(accept: str) -> str | None:
    """The apidiscovery version (``v2``/``v2beta1``) the client prefers, if it asks for one first."""
    for mt, p in accepts(accept):
        if mt == "application/json" and p.get("as") == "APIGroupDiscoveryList" and p.get("g") == "apidiscovery.k8s.io":
            if p.get("v") in ("v2", "v2beta1"):
                return p["v"]
            continue
        if mt in ("application/json", "*/*", "application/*"):
            return None
    return None


def _parse_yaml(raw: bytes) -> Any:
    import yaml  # pyyaml is a project dependency; only apply bodies need it

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(raw.decode("utf-8"), Loader=loader)


def parse_body(raw: bytes, content_type: str | None, *, allow_yaml: bool = True) -> Any:
    """Decode a request body (JSON; YAML too for YAML media types); 400 when it does not parse."""
    if not raw.strip():
        raise _bad("the body of the request was empty")
    mt = _media(content_type)[0] if content_type else ""
    yaml_ok = allow_yaml and mt in ("application/yaml", "application/apply-patch+yaml")
    try:
        return _fields.plain_loads(raw)
    except _fields.TooDeep:
        raise _too_deep() from None
    except _fields.DecodeError as e:
        raise _bad(str(e)) from None
    except (ValueError, RecursionError) as e:
        if not yaml_ok:
            raise _bad(f"couldn't get version/kind; json parse error: {_parse_error(e)}") from None
    try:
        data = _parse_yaml(raw)
        # YAML has types JSON lacks (timestamps, binary, non-string keys): normalise or refuse
        return _fields.plain_loads(json.dumps(data, default=str))
    except _fields.TooDeep:
        raise _too_deep() from None
    except Exception as e:  # yaml.YAMLError, UnicodeDecodeError, RecursionError, TypeError, ...
        raise _bad(f"error decoding YAML: {str(e)[:200]}") from None


def _parse_error(e: BaseException) -> str:
    """The parse error's text: Go's scanner's for too deep a body, else Python's own."""
    if isinstance(e, RecursionError):
        return "invalid character '{' exceeded max depth"
    return str(e)[:200]


def _too_deep() -> ApiError:
    return _bad(f"the object is nested more than {_fields.MAX_STORED_DEPTH} levels deep, more than this server stores")


def _summarize(body: bytes, length: int = 30) -> str:
    """handlers.summarizeData: the start of a body that could not be decoded, for the 400."""
    more = " ..." if len(body) > length else ""
    if not body:
        return "<empty>"
    if body[:1] == b"{":
        return body[:length].decode("utf-8", errors="replace") + more
    return body[:length].hex() + more


def _undecodable(e: protobuf.ProtobufError, kind: str, body: bytes) -> ApiError:
    """handlers.transformDecodeError: the 400 for a body of the endpoint's ``kind`` that did not
    decode, worded by whether the envelope told the body's kind."""
    if e.kind:
        version = e.api_version.rpartition("/")[2]
        return _bad(f'{e.kind} in version "{version}" cannot be handled as a {kind}: {e}')
    return _bad(f"the object provided is unrecognized (must be of type {kind}): {e} ({_summarize(body)})")


def _hostname(netloc: str) -> str:
    """The host of ``host[:port]`` / ``[v6]:port``."""
    if netloc.startswith("["):
        return netloc[1:].partition("]")[0]
    return netloc.rpartition(":")[0] if netloc.count(":") == 1 else netloc


def _is_loopback_host(host: str) -> bool:
    h = host.lower().rstrip(".")
    if h == "localhost" or h.endswith(".localhost"):
        return True
    return h == "::1" or (h.startswith("127.") and h.replace(".", "").isdigit() and h.count(".") == 3)


async def _linger(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Half-close, then read and drop what the client still sends (bounded), so that an early
    answer (413) reaches it rather than a reset."""
    with contextlib.suppress(Exception):
        if writer.can_write_eof():
            writer.write_eof()
        dropped = 0
        async with asyncio.timeout(LINGER_S):
            while dropped < LINGER_BYTES:
                data = await reader.read(1 << 16)
                if not data:
                    break
                dropped += len(data)


class _WatchQueue:
    """One watch stream's encoded events not yet written, bounded (see ``_stream_watch``).

    The events stay the shared encodings (:meth:`HttpApiServer._encoded_event`); ``take`` hands
    out memoryviews of at most a batch, ``offset`` into the first. ``unsent`` bytes count into
    the server's ``watch_bytes_queued``.
    """

    __slots__ = ("closed", "offset", "overflowed", "pending", "server", "unsent")

    def __init__(self, server: HttpApiServer) -> None:
        self.server = server
        self.pending: deque[bytes] = deque()
        self.unsent = 0
        self.offset = 0
        self.closed = False
        self.overflowed = False

    def push(self, data: bytes, socket_unsent: int) -> bool:
        """Queue one event; False (and the queue closed and emptied) when it is too far behind:
        :data:`WATCH_QUEUE_EVENTS` events, :data:`WATCH_QUEUE_BYTES` unsent with the socket's
        buffer, or the server over :data:`WATCH_TOTAL_BYTES`. The first event always goes."""
        if self.pending and (
            len(self.pending) >= WATCH_QUEUE_EVENTS
            or self.unsent + socket_unsent + len(data) > WATCH_QUEUE_BYTES
            or self.server.watch_bytes_queued + len(data) > WATCH_TOTAL_BYTES
        ):
            self.overflowed = True
            self.drop()
            return False
        self.pending.append(data)
        self.unsent += len(data)
        self.server.watch_bytes_queued += len(data)
        return True

    def take(self, limit: int) -> tuple[list[memoryview], int]:
        """Up to ``limit`` bytes from the front, as views (the socket's buffer copies them)."""
        parts: list[memoryview] = []
        size = 0
        pending = self.pending
        while pending and size < limit:
            head = pending[0]
            take = min(len(head) - self.offset, limit - size)
            parts.append(memoryview(head)[self.offset:self.offset + take])
            size += take
            if self.offset + take == len(head):
                pending.popleft()
                self.offset = 0
            else:
                self.offset += take
        self.unsent -= size
        self.server.watch_bytes_queued -= size
        return parts, size

    def drop(self) -> None:
        """Close: what was not sent is forgotten."""
        self.closed = True
        self.server.watch_bytes_queued -= self.unsent
        self.unsent = self.offset = 0
        self.pending.clear()


# == request / response ===================================================================
@dataclass
class Request:
    method: str
    target: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes = b""

    def header(self, name: str, default: str = "") -> str:
        return self.headers.get(name.lower(), default)


@dataclass
class Response:
    code: int
    body: bytes
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class WatchSpec:
    info: ResourceInfo
    namespace: str | None
    label_selector: str | None
    field_selector: str | None
    resource_version: str | None
    bookmarks: bool
    timeout_s: float
    table: bool
    include_object: str
    send_initial_events: bool | None = None
    resource_version_match: str | None = None


def json_response(code: int, obj: Any, content_type: str = "application/json") -> Response:
    return Response(code, _dumps(obj), content_type)


def error_response(e: ApiError) -> Response:
    return json_response(e.code, e.status)


class _CloseConnection(Exception):
    """A request that cannot be read to the end: answer it, then close the connection."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.code)
        self.response = response


# == the server ===========================================================================
class HttpApiServer:
    """An asyncio HTTP/1.1 front for an in-process :class:`APIServer`."""

    def __init__(
        self,
        api: APIServer,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        max_body_bytes: int = 3 * 1024 * 1024,
        on_fault: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    ) -> None:
        self.api = api
        self.host = host
        self.port = port
        self.max_body_bytes = max_body_bytes
        self.on_fault = on_fault
        self.openapi = OpenAPI(api.registry, crd_for=api.crds.crd_for)
        api.go_types = self.openapi.field_validator  # patches over the wire are typed (APIServer.patch)
        self.requests_served = 0
        self.internal_errors = 0
        self._server: asyncio.base_events.Server | None = None
        self._conns: set[asyncio.Task[None]] = set()
        #: Set after every request: :func:`drive` runs the work it made ready without waiting
        #: for its next tick (the request itself never runs the simulation).
        self.work_ready = asyncio.Event()
        #: bytes queued for watchers across the server, and watchers closed for falling behind
        self.watch_bytes_queued = 0
        self.slow_watchers_closed = 0
        self._encoded: OrderedDict[tuple[Any, ...], bytes] = OrderedDict()
        self._encoded_bytes = 0
        self._loopback_only = _is_loopback_host(host)

    # -- lifecycle -----------------------------------------------------------------------
    async def start(self) -> int:
        self._server = await asyncio.start_server(
            self._on_connection, self.host, self.port, limit=MAX_HEADER_BYTES, backlog=LISTEN_BACKLOG
        )
        sock = self._server.sockets[0]
        self.port = int(sock.getsockname()[1])
        return self.port

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            for t in list(self._conns):
                t.cancel()
            if self._conns:
                await asyncio.gather(*self._conns, return_exceptions=True)
            with contextlib.suppress(Exception):
                await self._server.wait_closed()
            self._server = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    # -- connection handling ---------------------------------------------------------------
    async def _on_connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._conns.add(task)
        try:
            await self._serve(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        except asyncio.CancelledError:
            pass
        except Exception:  # pragma: no cover - a bug in connection handling itself
            self.internal_errors += 1
            log.exception("connection handler failed")
        finally:
            self._conns.discard(task)
            with contextlib.suppress(Exception):
                writer.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        first = True
        while True:
            try:
                req = await self._read_request(reader, writer, first=first)
            except _CloseConnection as c:
                await self._write(writer, c.response, close=True)
                await _linger(reader, writer)
                return
            except TimeoutError:
                return  # a header or body that never came, or an idle keep-alive connection
            if req is None:
                return
            first = False
            keep_alive = req.header("connection").lower() != "close"
            resp = self._handle(req)
            if isinstance(resp, WatchSpec):
                await self._stream_watch(req, resp, reader, writer)
                return
            await self._write(writer, resp, close=not keep_alive, head=req.method == "HEAD")
            if not keep_alive:
                return

    async def _read_request(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, first: bool = True
    ) -> Request | None:
        try:
            # keep-alive: the next request may take IDLE_TIMEOUT_S to start
            async with asyncio.timeout(HEADER_TIMEOUT_S + (0.0 if first else IDLE_TIMEOUT_S)):
                head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError as e:
            if e.partial.strip():
                raise _CloseConnection(error_response(_bad("malformed HTTP request"))) from None
            return None
        except asyncio.LimitOverrunError:
            raise _CloseConnection(
                json_response(431, status(431, "RequestHeaderFieldsTooLarge", "request headers too large"))
            ) from None
        text = head.decode("latin-1")
        lines = text.split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3 or not parts[2].startswith("HTTP/1.") or not parts[0].isalpha() or not parts[1]:
            raise _CloseConnection(error_response(_bad("malformed HTTP request line")))
        method, target, _version = parts
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if not line:
                continue
            name, sep, value = line.partition(":")
            if not sep or not name or name != name.strip():
                raise _CloseConnection(error_response(_bad("malformed HTTP header")))
            key = name.lower()
            headers[key] = f"{headers[key]},{value.strip()}" if key in headers else value.strip()
        async with asyncio.timeout(BODY_TIMEOUT_S):
            body = await self._read_body(reader, writer, headers)
        try:
            split = urlsplit(target)
            path = split.path or "/"
            query = parse_qs(split.query, keep_blank_values=True, errors="replace")
        except ValueError:
            raise _CloseConnection(error_response(_bad("malformed request target"))) from None
        return Request(method.upper(), target, path, query, headers, body)

    async def _read_body(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, headers: dict[str, str]) -> bytes:
        too_large = json_response(
            413,
            status(413, "RequestEntityTooLarge", f"Request entity too large: limit is {self.max_body_bytes}"),
        )
        te = headers.get("transfer-encoding", "").lower()
        if te and te != "identity":
            if te != "chunked":
                raise _CloseConnection(json_response(501, status(501, "NotImplemented", f"transfer encoding {te} not supported")))
            if headers.get("expect", "").lower() == "100-continue":
                writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            chunks: list[bytes] = []
            total = 0
            while True:
                try:
                    line = await reader.readuntil(b"\r\n")
                    size = int(line.split(b";")[0].strip(), 16)
                except (ValueError, asyncio.LimitOverrunError):
                    raise _CloseConnection(error_response(_bad("malformed chunked body"))) from None
                if size < 0:
                    raise _CloseConnection(error_response(_bad("malformed chunked body")))
                if size == 0:
                    # trailers until an empty line
                    while (await reader.readuntil(b"\r\n")) != b"\r\n":
                        pass
                    break
                total += size
                if total > self.max_body_bytes:
                    raise _CloseConnection(too_large)
                chunks.append(await reader.readexactly(size))
                if await reader.readexactly(2) != b"\r\n":
                    raise _CloseConnection(error_response(_bad("malformed chunked body")))
            return b"".join(chunks)
        cl = headers.get("content-length")
        if cl is None:
            return b""
        try:
            n = int(cl)
            if n < 0 or not cl.strip().isdigit():
                raise ValueError
        except ValueError:
            raise _CloseConnection(error_response(_bad("invalid Content-Length"))) from None
        if n > self.max_body_bytes:
            raise _CloseConnection(too_large)
        if headers.get("expect", "").lower() == "100-continue" and n:
            writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        return await reader.readexactly(n) if n else b""

    async def _write(self, writer: asyncio.StreamWriter, resp: Response, *, close: bool, head: bool = False) -> None:
        phrase = http.HTTPStatus(resp.code).phrase if resp.code in http.HTTPStatus._value2member_map_ else "Unknown"
        lines = [
            f"HTTP/1.1 {resp.code} {phrase}",
            f"Content-Type: {resp.content_type}",
            f"Content-Length: {len(resp.body)}",
            "Cache-Control: no-cache, private",
            "X-Content-Type-Options: nosniff",
        ]
        lines += [f"{k}: {v}" for k, v in resp.headers.items()]
        if close:
            lines.append("Connection: close")
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (b"" if head else resp.body))
        try:
            async with asyncio.timeout(WRITE_TIMEOUT_S):
                await writer.drain()
        except TimeoutError:
            writer.transport.abort()  # a client that stopped reading its answer
            raise ConnectionResetError("write timed out") from None

    # -- dispatch --------------------------------------------------------------------------
    def _handle(self, req: Request) -> Response | WatchSpec:
        self.requests_served += 1
        try:
            self._check_origin(req)
            out = self._route(req)
        except ApiError as e:
            out = error_response(e)
        except Exception as e:
            self.internal_errors += 1
            log.exception("internal error serving %s %s", req.method, req.target)
            out = json_response(500, status(500, "InternalError", f"Internal error occurred: {type(e).__name__}: {e}"))
        self.work_ready.set()  # what the request made runnable runs in the driver's next slice
        return out

    def _check_origin(self, req: Request) -> None:
        """A server on loopback answers only loopback names (no DNS rebinding) and takes no
        writes a web page on another origin sends (a browser adds ``Origin`` and, in recent
        ones, ``Sec-Fetch-Site``; bodies it can send without asking are not Kubernetes' content
        types anyway). kube-apiserver has authentication for this; plain-HTTP serve has not."""
        if not self._loopback_only:
            return
        host = req.header("host")
        if host and not _is_loopback_host(_hostname(host)):
            raise ApiError(403, "Forbidden", f"forbidden: this server answers loopback names only, not Host {json.dumps(host)}")
        if req.method in ("GET", "HEAD", "OPTIONS"):
            return
        origin = req.header("origin")
        if origin and origin != "null" and not _is_loopback_host(_hostname(urlsplit(origin).netloc)):
            raise ApiError(403, "Forbidden", f"forbidden: cross-origin request from {json.dumps(origin)} refused")
        if origin == "null" or req.header("sec-fetch-site") == "cross-site":
            raise ApiError(403, "Forbidden", "forbidden: cross-origin request refused")

    def _route(self, req: Request) -> Response | WatchSpec:
        path = req.path
        if path in ("/version", "/version/"):
            return self._only_get(req) or json_response(200, VERSION_INFO)
        if path in ("/healthz", "/readyz", "/livez") or path.startswith(("/healthz/", "/readyz/", "/livez/")):
            return self._only_get(req) or Response(200, b"ok", "text/plain; charset=utf-8")
        if path == "/kconform/v1/faults":
            return self._fault(req)
        if path.startswith("/openapi/"):
            return self._only_get(req) or self._openapi(req)
        segs = path.strip("/").split("/") if path.strip("/") else []
        if any(s == "" for s in segs):
            raise _not_found()
        segs = [unquote(s, errors="replace") for s in segs]
        if not segs or segs[0] not in ("api", "apis"):
            raise _not_found()
        accept = req.header("accept")
        if segs == ["api"]:
            if (r := self._only_get(req)) is not None:
                return r
            agg = wants_aggregated(accept)
            if agg:
                return json_response(200, discovery.aggregated(self.api.registry, core=True, version=agg), AGGREGATED_CT.format(v=agg))
            return json_response(200, discovery.api_versions(f"{self.host}:{self.port}"))
        if segs == ["apis"]:
            if (r := self._only_get(req)) is not None:
                return r
            agg = wants_aggregated(accept)
            if agg:
                return json_response(200, discovery.aggregated(self.api.registry, core=False, version=agg), AGGREGATED_CT.format(v=agg))
            return json_response(200, discovery.api_group_list(self.api.registry))
        if segs[0] == "api":
            group, version, rest = "", segs[1], segs[2:]
        else:
            if len(segs) == 2:
                doc = discovery.api_group(self.api.registry, segs[1])
                if doc is None:
                    raise _not_found()
                return self._only_get(req) or json_response(200, doc)
            group, version, rest = segs[1], segs[2], segs[3:]
        resources = self.api.registry.in_group_version(group, version)
        if resources is None:
            raise _not_found()
        if not rest:
            doc = discovery.api_resource_list(self.api.registry, group, version)
            if doc is None:  # pragma: no cover
                raise _not_found()
            return self._only_get(req) or json_response(200, doc)
        force_watch = False
        if rest[0] == "watch":
            force_watch, rest = True, rest[1:]
        return self._resource(req, resources, rest, force_watch)

    @staticmethod
    def _only_get(req: Request) -> Response | None:
        if req.method in ("GET", "HEAD"):
            return None
        raise _method_not_allowed()

    # -- non-resource endpoints -------------------------------------------------------------
    def _openapi(self, req: Request) -> Response:
        path = req.path.rstrip("/")
        if path == "/openapi/v2":
            types = [mt for mt, _ in accepts(req.header("accept", "application/json"))] or ["application/json"]
            if not any(t in ("application/json", "*/*", "application/*") for t in types):
                raise ApiError(406, "NotAcceptable", "only the following media types are accepted: application/json")
            return Response(200, self.openapi.v2(), "application/json")
        if path == "/openapi/v3":
            return json_response(200, self.openapi.v3_root())
        if path.startswith("/openapi/v3/"):
            data = self.openapi.v3_group_version(path[len("/openapi/v3/") :])
            if data is not None:
                return Response(200, data, "application/json")
        raise _not_found()

    def _fault(self, req: Request) -> Response:
        if req.method != "POST":
            raise _method_not_allowed()
        if self.on_fault is None:
            raise ApiError(404, "NotFound", "fault injection is not enabled on this server", {})
        self._check_json_content_type(req)
        body = parse_body(req.body, req.header("content-type") or None, allow_yaml=False)
        if not isinstance(body, dict):
            raise _bad("a fault is a JSON object")
        try:
            result = self.on_fault(body)
        except ValueError as e:
            raise _bad(str(e)) from None
        return json_response(200, result)

    # -- resources ---------------------------------------------------------------------------
    def _resource(
        self, req: Request, resources: dict[str, ResourceInfo], rest: list[str], force_watch: bool
    ) -> Response | WatchSpec:
        ns: str | None = None
        if rest[0] == "namespaces" and len(rest) >= 3 and rest[2] in resources and resources[rest[2]].namespaced:
            ns = rest[1]
            rest = rest[2:]
        info = resources.get(rest[0])
        if info is None or len(rest) > 3:
            raise _not_found()
        if ns is None and info.namespaced and len(rest) > 1:
            raise _not_found()  # /api/v1/pods/NAME: namespaced objects are addressed through their namespace
        if ns is not None and not ns:
            raise _not_found()
        name = rest[1] if len(rest) > 1 else None
        sub = rest[2] if len(rest) > 2 else None
        if sub is not None and sub not in info.subresources:
            raise _not_found()
        q = req.query
        m = req.method
        if force_watch and (m != "GET" or sub is not None):
            raise _method_not_allowed()
        if name is None:
            if m in ("GET", "HEAD"):
                return self._list_or_watch(req, info, ns, None, force_watch)
            if m == "POST":
                if info.namespaced and ns is None:
                    raise _method_not_allowed()
                return self._create(req, info, ns)
            if m == "DELETE":
                if info.namespaced and ns is None:
                    raise _method_not_allowed()
                return self._delete_collection(req, info, ns)
            raise _method_not_allowed()
        if sub is None:
            if m in ("GET", "HEAD"):
                if force_watch or query_bool(q, "watch"):
                    return self._list_or_watch(req, info, ns, name, True)
                obj = self.api.get(info.resource, name, ns, resource_version=query_str(q, "resourceVersion"))
                return self._object_response(req, info, obj)
            if m == "PUT":
                return self._update(req, info, ns, name, None)
            if m == "PATCH":
                return self._patch(req, info, ns, name, None)
            if m == "DELETE":
                return self._delete(req, info, ns, name)
            raise _method_not_allowed()
        # subresources
        if sub in ("status", "scale"):
            if m in ("GET", "HEAD"):
                obj = self.api.get(info.resource, name, ns, subresource=sub)
                return json_response(200, obj)
            if m == "PUT":
                return self._update(req, info, ns, name, sub)
            if m == "PATCH":
                return self._patch(req, info, ns, name, sub)
            raise _method_not_allowed()
        if sub in ("binding", "eviction"):
            if m != "POST":
                raise _method_not_allowed()
            req = self._protobuf_as_json(req, *(("v1", "Binding") if sub == "binding" else ("policy/v1", "Eviction")))
            self._check_json_content_type(req)
            body = parse_body(req.body, req.header("content-type") or None)
            if not isinstance(body, dict):
                raise _bad("the body of the request was in an unknown format")
            out = self.api.create(
                info.resource, body, ns, subresource=sub, name=name, dry_run=self._dry_run(req, body)
            )
            return json_response(201, out)
        if sub == "finalize":
            if m != "PUT":
                raise _method_not_allowed()
            return self._update(req, info, ns, name, sub)
        if sub == "log":
            if m not in ("GET", "HEAD"):
                raise _method_not_allowed()
            tail = query_int(q, "tailLines")  # the options decode before the pod is read
            out = self.api.get(info.resource, name, ns, subresource="log", container=query_str(q, "container"))
            text = str(out.get("log", ""))
            if tail is not None and tail >= 0:
                lines = text.splitlines(keepends=True)
                text = "".join(lines[-tail:]) if tail else ""
            return Response(200, text.encode("utf-8", errors="replace"), "text/plain")
        raise _not_found()  # pragma: no cover

    def _object_response(self, req: Request, info: ResourceInfo, obj: Obj, code: int = 200) -> Response:
        accept = req.header("accept")
        if wants_table(accept):
            table = tables.to_table(
                info, [obj], self.api.clock.now(), list_meta={"resourceVersion": obj.get("metadata", {}).get("resourceVersion", "")},
                include_object=self._include_object(req.query), strategy=self.api.registry.strategy(info),
            )
            return json_response(code, table)
        if wants_partial(accept):
            return json_response(code, tables.partial_metadata(obj))
        return json_response(code, obj)

    @staticmethod
    def _include_object(q: dict[str, list[str]]) -> str:
        v = query_str(q, "includeObject") or "Metadata"
        if v not in ("None", "Metadata", "Object"):
            raise _bad(f'includeObject: Unsupported value: "{v}": supported values: "Metadata", "None", "Object"')
        return v

    def _dry_run(self, req: Request, body: Any = None) -> bool:
        values = list(req.query.get("dryRun", []))
        if isinstance(body, dict) and isinstance(body.get("dryRun"), list):
            values += [str(v) for v in body["dryRun"]]
        for v in values:
            if v != "All":
                raise _bad(f'dryRun: Unsupported value: "{v}": supported values: "All"')
        return bool(values)

    def _field_validation(self, req: Request) -> str:
        fv = query_str(req.query, "fieldValidation")
        if fv and fv not in _fields.DIRECTIVES:
            raise _bad(f'fieldValidation: Unsupported value: "{fv}": supported values: "Ignore", "Strict", "Warn"')
        return fv or _fields.DEFAULT_DIRECTIVE

    def _decode_object(
        self, req: Request, info: ResourceInfo, sub: str | None, content_type: str | None, *,
        allow_yaml: bool = True, strategic: bool = False, patch: bool = False,
    ) -> tuple[Any, list[str]]:
        """The body decoded into the request's type, as kube-apiserver's strict decoder does it.

        Fields the type does not declare are dropped; under ``fieldValidation=Strict`` they (and
        duplicate keys) are a 400, under ``Warn`` the returned warnings, under ``Ignore`` nothing.
        """
        directive = self._field_validation(req)
        group, version, kind = ("autoscaling", "v1", "Scale") if sub == "scale" else (info.group, info.version, info.kind)
        validator = self.openapi.field_validator()
        structural = self.api.crds.schema_of(info) if sub in (None, "", "status") else None
        if structural is None and not validator.knows(group, version, kind):
            return parse_body(req.body, content_type, allow_yaml=allow_yaml), []
        raw = req.body
        mt = _media(content_type)[0] if content_type else ""
        if mt in ("application/yaml", "application/apply-patch+yaml"):
            raw = json.dumps(parse_body(raw, content_type, allow_yaml=allow_yaml)).encode()
        try:
            body, problems = validator.decode(raw, group, version, kind, strategic=strategic, lenient=patch)
        except _fields.TooDeep:
            raise _too_deep() from None
        except _fields.DecodeError as e:
            # handlers.transformDecodeError (a patch body is typed once patched, in APIServer.patch)
            raise _bad(f'{kind} in version "{version}" cannot be handled as a {kind}: {e}') from None
        except (ValueError, RecursionError) as e:
            if patch:
                parse_body(raw, content_type, allow_yaml=allow_yaml)  # the 400 it answers
                raise _bad("the body of the request was in an unknown format") from None
            raise _bad(
                f"the object provided is unrecognized (must be of type {kind}): couldn't get version/kind; "
                f"json parse error: {_parse_error(e)} ({_summarize(req.body)})"
            ) from None
        if structural is not None and isinstance(body, dict):
            # a custom resource: what its structural schema does not declare is pruned
            problems += [f"unknown field {json.dumps(p, ensure_ascii=False)}" for p in _schema.prune(copy.deepcopy(body), structural)]
        if not problems or directive == "Ignore":
            return body, []
        if directive == "Strict":
            message = _fields.strict_error_message(problems)
            if not patch:  # a create or update body: transformDecodeError names its kind
                message = f'{kind} in version "{version}" cannot be handled as a {kind}: {message}'
            raise ApiError(400, "BadRequest", message)
        return body, problems

    def _decode_options(self, req: Request, kind: str) -> Any:
        """An options body (``DeleteOptions``): decoded into its Go type, errors bare (the
        options decoder does not name the kind)."""
        ct = req.header("content-type") or None
        mt = _media(ct)[0] if ct else ""
        validator = self.openapi.field_validator()
        if mt not in ("", "application/json", "*/*") or not validator.knows("", "v1", kind):
            return parse_body(req.body, ct)
        if not req.body.strip():
            raise _bad("the body of the request was empty")
        try:
            return validator.decode(req.body, "", "v1", kind)[0]
        except _fields.TooDeep:
            raise _too_deep() from None
        except _fields.DecodeError as e:
            raise _bad(str(e)) from None
        except (ValueError, RecursionError) as e:
            raise _bad(f"couldn't get version/kind; json parse error: {_parse_error(e)}") from None

    @staticmethod
    def _warn(response: Response, warnings: list[str]) -> Response:
        if warnings:
            response.headers["Warning"] = _fields.warning_header(warnings)
        return response

    @staticmethod
    def _check_json_content_type(req: Request) -> None:
        """415 for a body in a media type no serializer reads (protobuf is turned into JSON first)."""
        ct = req.header("content-type")
        if not ct:
            return  # the 37.x client sends bodies without a Content-Type: JSON
        mt = _media(ct)[0]
        if mt not in ("application/json", "application/yaml", "*/*"):
            raise ApiError(
                415,
                "UnsupportedMediaType",
                "the body of the request was in an unknown format - accepted media types include: "
                + ", ".join(BODY_CONTENT_TYPES),
            )

    def _protobuf_as_json(
        self, req: Request, api_version: str, kind: str, *, custom: bool = False, transform: bool = True
    ) -> Request:
        """A protobuf body as the JSON request a Go client would have sent for the same object.

        ``api_version``/``kind`` are the endpoint's, which an envelope without them defaults to.
        A body that does not decode is a 400 worded as transformDecodeError does (create, update)
        or with the bare error (``transform=False``: delete, which does not transform it).
        The JSON then takes the same path as any JSON body, except that fieldValidation counts
        as Ignore: the protobuf serializer has no strict mode (its StrictSerializer is itself),
        and the decoded object holds nothing but the Go type's own fields.
        """
        ct = req.header("content-type")
        if not ct or _media(ct)[0] != protobuf.MEDIA_TYPE:
            return req
        self._field_validation(req)  # a bad value is a 400 before the body is read
        try:
            if custom:
                # the custom resource handler offers protobuf, but its serializer cannot type an
                # Unstructured: every body that gets past the envelope fails the same way
                env_api_version, env_kind, _ = protobuf.envelope(
                    req.body, default_api_version=api_version, default_kind=kind
                )
                raise protobuf.ProtobufError(
                    "Object 'Kind' is missing in 'object has no kind field '", api_version=env_api_version, kind=env_kind
                )
            obj = protobuf.decode(req.body, default_api_version=api_version, default_kind=kind)
            body = _dumps(obj)
        except protobuf.ProtobufError as e:
            raise (_undecodable(e, kind, req.body) if transform else _bad(str(e))) from None
        except TypeError:  # orjson: embedded JSON nested deeper than it writes
            raise _bad(f"{kind} in version {json.dumps(api_version.rpartition('/')[2])} cannot be handled as a "
                       f"{kind}: embedded JSON nested too deeply") from None
        return dataclasses.replace(
            req, body=body, headers={**req.headers, "content-type": "application/json"},
            query={**req.query, "fieldValidation": ["Ignore"]},
        )

    def _protobuf_object(self, req: Request, info: ResourceInfo, sub: str | None) -> Request:
        """:meth:`_protobuf_as_json` for a create or update of ``info`` (or its subresource)."""
        if sub == "scale":
            return self._protobuf_as_json(req, "autoscaling/v1", "Scale")
        return self._protobuf_as_json(req, info.api_version, info.kind, custom=self.api.crds.is_custom(info))

    def _list_or_watch(
        self, req: Request, info: ResourceInfo, ns: str | None, name: str | None, force_watch: bool
    ) -> Response | WatchSpec:
        q = req.query
        fsel = query_str(q, "fieldSelector")
        if name is not None:
            fsel = f"metadata.name={name}" + (f",{fsel}" if fsel else "")
        timeout = query_int(q, "timeoutSeconds")
        if force_watch or query_bool(q, "watch"):
            accept = req.header("accept")
            return WatchSpec(
                info=info,
                namespace=ns,
                label_selector=query_str(q, "labelSelector"),
                field_selector=fsel,
                resource_version=query_str(q, "resourceVersion"),
                bookmarks=query_bool(q, "allowWatchBookmarks"),
                timeout_s=float(timeout) if timeout and timeout > 0 else DEFAULT_WATCH_TIMEOUT_S,
                table=wants_table(accept),
                include_object=self._include_object(q),
                send_initial_events=query_tristate(q, "sendInitialEvents"),
                resource_version_match=query_str(q, "resourceVersionMatch"),
            )
        lst = self.api.list(
            info.resource,
            ns,
            label_selector=query_str(q, "labelSelector"),
            field_selector=fsel,
            limit=query_int(q, "limit"),
            continue_=query_str(q, "continue"),
            resource_version=query_str(q, "resourceVersion"),
            resource_version_match=query_str(q, "resourceVersionMatch"),
            send_initial_events=query_tristate(q, "sendInitialEvents"),
        )
        accept = req.header("accept")
        if wants_table(accept):
            return json_response(
                200,
                tables.to_table(
                    info, lst["items"], self.api.clock.now(), list_meta=lst["metadata"],
                    include_object=self._include_object(q), strategy=self.api.registry.strategy(info),
                ),
            )
        if wants_partial(accept):
            return json_response(
                200,
                {
                    "kind": "PartialObjectMetadataList",
                    "apiVersion": "meta.k8s.io/v1",
                    "metadata": lst["metadata"],
                    "items": [tables.partial_metadata(it) for it in lst["items"]],
                },
            )
        return json_response(200, lst)

    def _create(self, req: Request, info: ResourceInfo, ns: str | None) -> Response:
        req = self._protobuf_object(req, info, None)
        self._check_json_content_type(req)
        body, warnings = self._decode_object(req, info, None, req.header("content-type") or None)
        if not isinstance(body, dict):
            raise _bad("the body of the request was in an unknown format")
        out = self.api.create(info.resource, body, ns, dry_run=self._dry_run(req))
        return self._warn(self._object_response(req, info, out, 201), warnings)

    def _update(self, req: Request, info: ResourceInfo, ns: str | None, name: str, sub: str | None) -> Response:
        req = self._protobuf_object(req, info, sub)
        self._check_json_content_type(req)
        body, warnings = self._decode_object(req, info, sub, req.header("content-type") or None)
        if not isinstance(body, dict):
            raise _bad("the body of the request was in an unknown format")
        out = self.api.update(info.resource, body, ns, subresource=sub, name=name, dry_run=self._dry_run(req))
        return self._warn(json_response(200, out), warnings)

    def _patch(self, req: Request, info: ResourceInfo, ns: str | None, name: str, sub: str | None) -> Response:
        ct = req.header("content-type")
        mt = _media(ct)[0] if ct else ""
        if mt not in PATCH_CONTENT_TYPES:
            raise ApiError(
                415,
                "UnsupportedMediaType",
                "the body of the request was in an unknown format - accepted media types include: "
                + ", ".join(PATCH_CONTENT_TYPES),
            )
        self._field_validation(req)  # a bad value is a 400 before the body is read
        q = req.query
        field_manager = query_str(q, "fieldManager")
        force = query_bool(q, "force")
        if mt == "application/apply-patch+yaml":
            if not field_manager:
                raise ApiError(
                    422,
                    "Invalid",
                    'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
                    {"group": "meta.k8s.io", "kind": "PatchOptions",
                     "causes": [{"reason": "FieldValueRequired", "message": "Required value: is required for apply patch",
                                 "field": "fieldManager"}]},
                )
        elif "force" in q:
            raise ApiError(
                422,
                "Invalid",
                'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch',
                {"group": "meta.k8s.io", "kind": "PatchOptions",
                 "causes": [{"reason": "FieldValueForbidden", "message": "Forbidden: may not be specified for non-apply patch",
                             "field": "force"}]},
            )
        warnings: list[str] = []
        if mt in ("application/merge-patch+json", "application/strategic-merge-patch+json"):
            body, warnings = self._decode_object(
                req, info, sub, mt, allow_yaml=False, strategic=mt == "application/strategic-merge-patch+json",
                patch=True,
            )
        else:  # JSON patches and apply bodies: not checked field by field (fieldvalidation.py)
            body = parse_body(req.body, mt, allow_yaml=mt == "application/apply-patch+yaml")
        existed = sub is not None or self.api.store.get(info.key(name, ns)) is not None
        out = self.api.patch(
            info.resource, name, body, mt, ns, subresource=sub, dry_run=self._dry_run(req),
            force=force, field_manager=field_manager, typed=True,
        )
        return self._warn(self._object_response(req, info, out, 200 if existed else 201), warnings)

    def _delete_options(self, req: Request) -> Obj:
        opts: Obj = {}
        if req.body.strip():
            # DeleteOptions are registered in every group version: clients send their own
            req = self._protobuf_as_json(req, "meta.k8s.io/v1", "DeleteOptions", transform=False)
            self._check_json_content_type(req)
            body = self._decode_options(req, "DeleteOptions")
            if not isinstance(body, dict):
                raise _bad("the body of the request was in an unknown format")
            opts = body
        q = req.query
        if "gracePeriodSeconds" in q:
            opts["gracePeriodSeconds"] = query_int(q, "gracePeriodSeconds")
        if "propagationPolicy" in q:
            opts["propagationPolicy"] = query_str(q, "propagationPolicy")
        if "orphanDependents" in q:
            opts["orphanDependents"] = query_bool(q, "orphanDependents")
        grace = opts.get("gracePeriodSeconds")
        if grace is not None and (not isinstance(grace, int) or isinstance(grace, bool)):
            raise _bad("gracePeriodSeconds must be an integer")
        policy = opts.get("propagationPolicy")
        if policy is not None and not isinstance(policy, str):
            raise _bad("propagationPolicy must be a string")
        orphan = opts.get("orphanDependents")
        if orphan is not None:
            if policy:
                raise ApiError(
                    422, "Invalid",
                    'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Invalid value: '
                    f'"{policy}": orphanDependents and deletionPropagation cannot be both set',
                )
            opts["propagationPolicy"] = "Orphan" if orphan else "Background"
        pre = opts.get("preconditions")
        if pre is not None and not isinstance(pre, dict):
            raise _bad("preconditions must be an object")
        return opts

    def _delete(self, req: Request, info: ResourceInfo, ns: str | None, name: str) -> Response:
        opts = self._delete_options(req)
        dry_run = self._dry_run(req, opts)
        out = self.api.delete(
            info.resource,
            name,
            ns,
            grace_period_seconds=opts.get("gracePeriodSeconds"),
            propagation_policy=opts.get("propagationPolicy"),
            preconditions=opts.get("preconditions"),
            dry_run=dry_run,
        )
        gone = not dry_run and self.api.store.get(info.key(name, ns if info.namespaced else None)) is None
        if gone and info.plural != "pods":
            details: Obj = {"name": name, "kind": info.plural, "uid": out.get("metadata", {}).get("uid")}
            if info.group:
                details = {"name": name, "group": info.group, "kind": info.plural, "uid": details["uid"]}
            return json_response(
                200, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": details}
            )
        return json_response(200, out)

    def _delete_collection(self, req: Request, info: ResourceInfo, ns: str | None) -> Response:
        opts = self._delete_options(req)
        if self._dry_run(req, opts):
            lst = self.api.list(
                info.resource, ns, label_selector=query_str(req.query, "labelSelector"),
                field_selector=query_str(req.query, "fieldSelector"),
            )
            return json_response(200, lst)
        out = self.api.delete_collection(
            info.resource,
            ns,
            label_selector=query_str(req.query, "labelSelector"),
            field_selector=query_str(req.query, "fieldSelector"),
            grace_period_seconds=opts.get("gracePeriodSeconds"),
            propagation_policy=opts.get("propagationPolicy"),
        )
        return json_response(200, out)

    # -- watch -------------------------------------------------------------------------------
    async def _stream_watch(
        self, req: Request, spec: WatchSpec, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        """A watch as a chunked stream of JSON lines, until its timeout, the client leaving, or
        the watcher falling behind (then the stream ends as kube-apiserver ends an unresponsive
        watcher's, and the client relists).

        Events are encoded when they happen (the object may be shared) into a bounded queue:
        :data:`WATCH_QUEUE_EVENTS` events or :data:`WATCH_QUEUE_BYTES` bytes per watcher (its
        socket's unsent bytes counted), :data:`WATCH_TOTAL_BYTES` across all watchers; past
        either, the watcher is stopped, what it had not sent is dropped, and its stream ends
        (or, for a client that does not read at all, its connection is closed).
        """
        info = spec.info
        strategy = self.api.registry.strategy(info)
        clock = self.api.clock
        q = _WatchQueue(self)
        signal = asyncio.Event()
        transport = writer.transport

        def encode(etype: str, obj: Obj) -> bytes:
            if spec.table and etype not in ("BOOKMARK", "ERROR"):
                obj = tables.to_table(
                    info, [obj], clock.now(), list_meta={"resourceVersion": obj.get("metadata", {}).get("resourceVersion", "")},
                    include_object=spec.include_object, strategy=strategy,
                )
                return _dumps({"type": etype, "object": obj}) + b"\n"
            return self._encoded_event(etype, obj)

        def handler(etype: str, obj: Obj) -> None:
            # called synchronously from the simulation: serialise now, the object may be shared
            if q.closed:
                return
            try:
                data = encode(etype, obj)
            except Exception:
                self.internal_errors += 1
                log.exception("could not encode a watch event")
                return
            if not q.push(data, transport.get_write_buffer_size()):
                self.slow_watchers_closed += 1  # cacheWatcher.add: "Forcing watcher close ..."
            signal.set()

        def on_close() -> None:
            q.closed = True
            signal.set()

        try:
            watcher = self.api.watch(
                info.resource,
                handler,
                spec.namespace,
                label_selector=spec.label_selector,
                field_selector=spec.field_selector,
                resource_version=spec.resource_version,
                allow_bookmarks=spec.bookmarks,
                on_close=on_close,
                send_initial_events=spec.send_initial_events,
                resource_version_match=spec.resource_version_match,
            )
        except ApiError as e:
            await self._write(writer, error_response(e), close=True)
            return
        except Exception as e:
            self.internal_errors += 1
            log.exception("internal error starting a watch %s", req.target)
            await self._write(
                writer, json_response(500, status(500, "InternalError", f"Internal error occurred: {e}")), close=True
            )
            return
        self.work_ready.set()
        aloop = asyncio.get_running_loop()
        deadline = aloop.time() + spec.timeout_s

        async def client_gone() -> None:
            with contextlib.suppress(Exception):
                while await reader.read(65536):
                    pass
            q.closed = True
            signal.set()

        gone_task = asyncio.ensure_future(client_gone())
        try:
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                b"Cache-Control: no-cache, private\r\nX-Content-Type-Options: nosniff\r\n\r\n"
            )
            await self._drain_watch(writer, q)
            while True:
                remaining = deadline - aloop.time()
                if remaining <= 0:
                    break  # timeoutSeconds: the stream ends, whatever is still queued
                if not q.pending:
                    if q.closed:
                        break
                    signal.clear()
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(remaining):
                            await signal.wait()
                    continue
                parts, size = q.take(WATCH_BATCH_BYTES)
                writer.write(b"".join([f"{size:x}\r\n".encode(), *parts, b"\r\n"]))
                await self._drain_watch(writer, q)
            if not transport.is_closing():
                writer.write(b"0\r\n\r\n")
                await self._drain_watch(writer, q)
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            q.drop()
            watcher.stop()
            gone_task.cancel()

    async def _drain_watch(self, writer: asyncio.StreamWriter, q: _WatchQueue) -> None:
        """``drain`` for a watch stream: a client that reads nothing while its watcher has been
        closed for falling behind (or for :data:`WRITE_TIMEOUT_S`) loses its connection."""
        loop = asyncio.get_running_loop()
        end = loop.time() + WRITE_TIMEOUT_S
        while True:
            try:
                async with asyncio.timeout(0.5):
                    await writer.drain()
                return
            except TimeoutError:
                if q.overflowed or loop.time() >= end:
                    writer.transport.abort()
                    raise ConnectionResetError("watch client stopped reading") from None

    def _encoded_event(self, etype: str, obj: Obj) -> bytes:
        """One watch event's JSON line; the same event sent to many watchers is encoded once."""
        meta = obj.get("metadata") if isinstance(obj, dict) else None
        rv = meta.get("resourceVersion") if isinstance(meta, dict) else None
        if etype in ("BOOKMARK", "ERROR") or not rv or not isinstance(meta, dict):
            return _dumps({"type": etype, "object": obj}) + b"\n"
        # an object at a resourceVersion never changes: the same event for every watcher of it
        # (a watch's initial ADDED events are decoded per watcher) is one encoding
        key = (etype, obj.get("apiVersion"), obj.get("kind"), meta.get("namespace"), meta.get("name"), rv)
        cache = self._encoded
        data = cache.get(key)
        if data is not None:
            cache.move_to_end(key)
            return data
        data = _dumps({"type": etype, "object": obj}) + b"\n"
        cache[key] = data
        self._encoded_bytes += len(data)
        while self._encoded_bytes > ENCODED_CACHE_BYTES or len(cache) > ENCODED_CACHE_EVENTS:
            _, old = cache.popitem(last=False)
            self._encoded_bytes -= len(old)
        return data


# == driving simulated time =================================================================
async def drive(
    loop: EventLoop, *, speed: float = 1.0, tick_s: float = 0.05, slice_s: float = 0.005,
    wake: asyncio.Event | None = None,
) -> None:
    """Advance the simulation's clock with real time, forever (cancel the task to stop).

    This is the one place in ``reference_impl`` that reads real time: the asyncio loop's
    monotonic clock (``asyncio.get_running_loop().time()``). The simulated clock follows
    ``start + elapsed_real * speed`` (never backwards: if someone advanced the simulation past
    that point, it waits for real time to catch up), running the events due on the way — in
    slices of at most ``slice_s`` real seconds, yielding to the asyncio loop between slices,
    so that requests are answered while a big reconcile (10,000 replicas) is under way and
    SIGTERM is handled within a slice. Caught up, it sleeps until the next tick or until
    ``wake`` is set (:attr:`HttpApiServer.work_ready`, after every request). Exceptions raised
    by simulated components are logged, not fatal.
    """
    aloop = asyncio.get_running_loop()
    real0 = aloop.time()
    sim0 = loop.now()
    while True:
        if wake is not None:
            wake.clear()  # before the slice: a request answered during it wakes the next one
        slice_end = aloop.time() + slice_s
        caught_up = False
        while not caught_up:
            target = max(sim0 + (aloop.time() - real0) * speed, loop.now())
            try:
                caught_up = loop.run_until(target, 4)
            except Exception:
                log.exception("simulation step failed")
                caught_up = True
            if aloop.time() >= slice_end:
                break
        if not caught_up:
            await asyncio.sleep(0)  # let the requests that arrived meanwhile in
            continue
        if wake is None:
            await asyncio.sleep(tick_s)
            continue
        # (not asyncio.wait_for: before 3.12 it can swallow a cancel that meets a wake-up)
        tick = aloop.call_later(tick_s, wake.set)
        try:
            await wake.wait()
        finally:
            tick.cancel()


__all__ = [
    "VERSION_INFO",
    "HttpApiServer",
    "Request",
    "Response",
    "drive",
    "parse_body",
    "query_bool",
]
