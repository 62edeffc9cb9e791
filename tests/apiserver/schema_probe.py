"""Send the table of ``test_schema.py`` to a real kube-apiserver and to the reference; print the figure.

A data-generating helper, not a test (pytest does not collect it)::

    python -m tests.apiserver.schema_probe --kubeconfig /tmp/w/up.kubeconfig          # the diff figure
    python -m tests.apiserver.schema_probe --kubeconfig /tmp/w/up.kubeconfig --emit   # the table, re-recorded

It creates the table's CRDs (group ``schema-probe.example.com``, deleted again afterwards) on the
server the kubeconfig names, sends every case's requests (create, update, status, merge patch, a
CRD schema change), and normalizes each answer to ``test_schema.Answer`` (the stored object minus
its type and metadata but for the generation; or the Status code, message and causes, causes
sorted, a 422's message dropped when it is the one its causes make). It reports how many answers
the table records as the real server gives them today, and how many the reference gives alike;
``--emit`` prints the ``CASES`` table with the real server's answers, for ``test_schema.py``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import ssl
import sys
import time
from typing import Any

import yaml

from tests.apiserver import test_schema as table


class RealServer:
    """A kube-apiserver reached with the client certificate of a kubeconfig."""

    def __init__(self, kubeconfig: str) -> None:
        with open(kubeconfig) as f:
            config = yaml.safe_load(f)
        cluster = config["clusters"][0]["cluster"]
        user = config["users"][0]["user"]
        self.host = str(cluster["server"]).removeprefix("https://")
        self.context = ssl.create_default_context(cafile=cluster["certificate-authority"])
        self.context.load_cert_chain(user["client-certificate"], user["client-key"])

    def send(self, method: str, path: str, body: Any = None, content_type: str = "application/json") -> tuple[int, Any]:
        # a shared test cluster may be restarting (refusing connections, then answering 503 until
        # its handlers are installed): wait for it, up to a minute
        for _ in range(60):
            try:
                code, out = self._send(method, path, body, content_type)
            except ConnectionError:
                time.sleep(1)
                continue
            if code != 503:
                return code, out
            time.sleep(1)
        return self._send(method, path, body, content_type)

    def _send(self, method: str, path: str, body: Any, content_type: str) -> tuple[int, Any]:
        conn = http.client.HTTPSConnection(self.host, context=self.context, timeout=30)
        try:
            data = None if body is None else json.dumps(body).encode()
            headers = {"Accept": "application/json"}
            if data is not None:
                headers["Content-Type"] = content_type
            conn.request(method, path, data, headers)
            response = conn.getresponse()
            raw = response.read()
        finally:
            conn.close()
        try:
            return response.status, json.loads(raw)
        except ValueError:
            return response.status, raw.decode()


def _literal(value: Any, indent: int = 0) -> str:
    """A JSON value as a Python literal with double quotes."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k, ensure_ascii=False)}: {_literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        inner = ", ".join(_literal(v) for v in value)
        return f"({inner},)" if isinstance(value, tuple) and len(value) == 1 else (f"({inner})" if isinstance(value, tuple) else f"[{inner}]")
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, str) and '"' in value:
        return repr(value)  # single quotes where the text has double ones
    return json.dumps(value, ensure_ascii=False)


def _answer_source(a: table.Answer) -> str:
    parts = [str(a.code)]
    if a.stored is not None:
        parts.append(f"stored={_literal(a.stored)}")
    if a.generation is not None:
        parts.append(f"generation={a.generation}")
    if a.message is not None:
        parts.append(f"message={_literal(a.message)}")
    if len(a.causes) == 1:
        parts.append(f"causes=({_literal(a.causes[0])},)")
    elif a.causes:
        causes = "".join(f"                 {_literal(c)},\n" for c in a.causes)
        parts.append(f"causes=(\n{causes}             )")
    return f"Answer({', '.join(parts)})"


def emit(answers: dict[str, list[table.Answer]]) -> str:
    lines = ["CASES: list[Case] = ["]
    for case in table.CASES:
        got = answers[case.key]
        lines.append(f"    Case({_literal(case.crd)}, {_literal(case.name)}, (")
        for step, answer in zip(case.steps, got):
            query = f", query={_literal(step.query)}" if step.query else ""
            lines.append(f"        Step({_literal(step.verb)}, {_literal(step.body)}{query},")
            lines.append(f"             expect={_answer_source(answer)}),")
        lines.append(f"    ){', object_name=' + _literal(case.object_name) if case.object_name is not None else ''}),")
    lines.append("]")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kubeconfig", required=True)
    parser.add_argument("--emit", action="store_true", help="print the CASES table with the real server's answers")
    args = parser.parse_args()
    real = RealServer(args.kubeconfig)
    real_answers = table.run(real.send, time.sleep, table.CASES)
    if args.emit:
        print(emit(real_answers))
        return 0
    reference = table.InProcess()
    ref_answers = table.run(reference.send, reference.settle, table.CASES)
    total = recorded = alike = 0
    for case in table.CASES:
        for i, step in enumerate(case.steps):
            total += 1
            want, got = real_answers[case.key][i], ref_answers[case.key][i]
            recorded += want == step.expect
            if want == got:
                alike += 1
            else:
                print(f"--- {case.key} step {i} ({step.verb})\n  real: {want}\n  ref:  {got}")
    print(f"{total} requests: {recorded} recorded in the table as the real server answers them, "
          f"{alike} answered alike by the reference")
    return 0


if __name__ == "__main__":
    sys.exit(main())
