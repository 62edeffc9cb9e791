"""The simulated container runtime: what a container does, as data.

Stands in for containerd and the images: ``interpret(image, command, args, env=, hostname=)``
says what a container will do once started — run until stopped, or exit with a code after some
seconds, printing some lines — reading its command the way busybox would. That is the runtime
contract (``docs/runtime-contract.md``): busybox's ``sh`` (``shell/ash.c``) for the language test
manifests use — simple commands with quoting, ``$VAR``/``${VAR...}``/``$(...)``/``$((...))``
expansions, redirections, pipelines, ``&&``/``||``, ``&`` and ``wait``, ``if``, ``while``/``until``,
``for``, ``case``, subshells and groups, ``set -e``, ``trap`` — and a handful of busybox applets
(``sleep``, ``cat``, ``test``/``[``, ``echo``, ``printf``, ``seq``, ``env``, ``touch``, ``rm``,
``mkdir``, ``ls``, ``hostname``, ...), in simulated time, in a simulated container: the kubelet's
variables (``$(VAR)`` expansion of ``third_party/forked/golang/expansion``, the ``kubernetes``
service's variables of ``pkg/kubelet/envvars``), a few known files, the files a script makes.
Images whose registry host ends in ``.invalid`` cannot be pulled, on real clusters too, which
is how manifests ask for ErrImagePull.

Everything is bounded: a script that runs more than ``STEP_LIMIT`` commands and loop rounds,
makes a word or file longer than ``TEXT_LIMIT``, or nests deeper than ``DEPTH_LIMIT`` is taken to
run forever — as a loop that comes back to a state it was in before does (``while true; do
sleep 1; done``).

This is one of two implementations of the contract: kconform's own (``kconform/upstream/
runtime.py``, for kwok on a real control plane) is written separately, and tests/upstream hold
the two to each other. Leaves out: real processes, signals other than "a shell or applet as PID 1
ignores SIGTERM unless a TERM trap exits" (which is why ``sleep 3600`` pods take their whole grace
period to stop, as on a real node), shell functions, here-documents, pathname expansion, job
control, the applets the contract does not list (they are "not found"), ``valueFrom``/``envFrom``
variables and other services' variables.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn

FOREVER = float("inf")
SHELL_IMAGES = ("busybox", "alpine", "bash", "ubuntu", "debian")
SHELL_NAMES = ("sh", "bash", "ash")
APPLET_NAMES = (
    "[", "[[", "ash", "cat", "echo", "env", "false", "hostname", "ls", "mkdir", "printenv", "printf", "pwd", "rm",
    "seq", "sh", "sleep", "test", "touch", "true",
)  # fmt: skip
BIN_DIRS = ("/bin", "/usr/bin", "/sbin", "/usr/sbin")
SPECIAL = (":", "break", "continue", "eval", "exec", "exit", "export", "set", "shift", "trap", "unset")
REGULAR = ("[", "[[", "cd", "echo", "false", "printf", "pwd", "read", "test", "true", "wait")
STEP_LIMIT = 10000
TEXT_LIMIT = 16384
DEPTH_LIMIT = 20
JOBS_LIMIT = 100
LOG_LINES = 1000
SERVICE_IP = "10.96.0.1"
KUBERNETES_ENV = (
    ("KUBERNETES_SERVICE_HOST", SERVICE_IP),
    ("KUBERNETES_SERVICE_PORT", "443"),
    ("KUBERNETES_SERVICE_PORT_HTTPS", "443"),
    ("KUBERNETES_PORT", "tcp://" + SERVICE_IP + ":443"),
    ("KUBERNETES_PORT_443_TCP", "tcp://" + SERVICE_IP + ":443"),
    ("KUBERNETES_PORT_443_TCP_PROTO", "tcp"),
    ("KUBERNETES_PORT_443_TCP_PORT", "443"),
    ("KUBERNETES_PORT_443_TCP_ADDR", SERVICE_IP),
)
IMAGE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


@dataclass(frozen=True)
class Program:
    """What a started container does: exit with ``exit_code`` after ``runs_s`` (inf = forever)."""

    runs_s: float
    exit_code: int = 0
    output: tuple[str, ...] = ()
    ignores_sigterm: bool = False


def image_pullable(image: str) -> bool:
    """False for images whose registry host ends with ``.invalid`` (RFC 2606: never resolves)."""
    first = image.split("/", 1)[0]
    if "/" in image and ("." in first or ":" in first or first == "localhost"):
        host = first.split(":", 1)[0]
        return not host.endswith(".invalid")
    return True


def image_tag(image: str) -> str:
    last = image.rsplit("/", 1)[-1]
    if "@" in last:
        return last.split("@", 1)[1]
    return last.split(":", 1)[1] if ":" in last else "latest"


def _is_shell_image(image: str) -> bool:
    name = image.rsplit("/", 1)[-1].split(":", 1)[0].split("@", 1)[0]
    return name in SHELL_IMAGES


# == the kubelet's side: variables and $(VAR) ===================================================
def kubelet_expand(text: str, env: Mapping[str, str]) -> str:
    """``$(NAME)`` → the value of a defined variable (else kept), ``$$`` → ``$``; other ``$`` kept."""
    out = ""
    i = 0
    while i < len(text):
        if text[i] == "$" and i + 1 < len(text):
            follow = text[i + 1]
            if follow == "$":
                out += "$"
                i += 2
                continue
            if follow == "(":
                end = text.find(")", i + 2)
                if end >= 0:
                    name = text[i + 2 : end]
                    out += env[name] if name in env else "$(" + name + ")"
                    i = end + 1
                    continue
                out += "$("
                i += 2
                continue
            out += "$" + follow
            i += 2
            continue
        out += text[i]
        i += 1
    return out


def container_env(spec: Mapping[str, Any]) -> dict[str, str]:
    """The kubelet's variables for a container: the ``kubernetes`` service's, then the spec's
    ``env`` literal values (each expanded with those before it); ``valueFrom``/``envFrom`` left out."""
    env: dict[str, str] = dict(KUBERNETES_ENV)
    for item in spec.get("env") or []:
        if isinstance(item, Mapping) and item.get("name") and not item.get("valueFrom"):
            env[str(item["name"])] = kubelet_expand(str(item.get("value") or ""), env)
    return env


def pod_hostname(pod: Mapping[str, Any]) -> str:
    """``spec.hostname``, else the pod's name cut to 63 characters (kubelet: GeneratePodHostNameAndDomain)."""
    spec = pod.get("spec") or {}
    name = str(spec.get("hostname") or (pod.get("metadata") or {}).get("name") or "")
    if len(name) > 63:
        name = name[:63].rstrip("-.")
    return name


# == signals between the parts of the interpreter ===============================================
class SyntaxErr(Exception):
    pass


class Exited(Exception):
    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


class Blocked(Exception):
    """The process never ends (``sleep infinity``, a loop that repeats itself)."""


class OverLimit(Exception):
    """One of the model's bounds was passed: the program is taken to run forever."""


class LoopJump(Exception):
    def __init__(self, count: int, cont: bool) -> None:
        super().__init__(count)
        self.count = count
        self.cont = cont


class MathErr(Exception):
    pass


class TestErr(Exception):
    pass


# == tokens and words ===========================================================================
@dataclass(frozen=True)
class Piece:
    """One piece of a word. kind: lit | var | cmd | math | home."""

    kind: str
    text: str = ""
    op: str = ""
    arg: str = ""
    quoted: bool = False


OPERATORS = ("<<-", "&&", "||", ";;", ">>", "<&", ">&", "<>", ">|", "<<", ";", "&", "|", "(", ")", "<", ">")
REDIR_OPS = ("<", ">", ">>", "<&", ">&", "<>", ">|", "<<", "<<-")
RESERVED = ("if", "then", "elif", "else", "fi", "do", "done", "while", "until", "for", "case", "esac", "in", "{", "}", "!")
ENDERS = ("then", "elif", "else", "fi", "do", "done", "esac", "}")
BREAKERS = " \t\n;&|()<>"
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
DIGITS = re.compile(r"[0-9]+")
PNAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|[0-9]+|[@*#?$!\-]")
POPS = (":-", ":=", ":+", ":?", "##", "%%", "-", "=", "+", "?", "#", "%")
OPEN_QUOTE = "unterminated quoted string"


@dataclass(frozen=True)
class Tok:
    kind: str  # word | op | nl | eof | bad
    src: str = ""
    pieces: tuple[Piece, ...] = ()
    fd: int = -1

    def reserved(self) -> str:
        if self.kind == "word" and len(self.pieces) == 1:
            p = self.pieces[0]
            if p.kind == "lit" and not p.quoted and p.text in RESERVED:
                return p.text
        return ""

    def shown(self) -> str:
        if self.kind == "eof":
            return "end of file"
        if self.kind == "nl":
            return "newline"
        if self.kind == "word":
            r = self.reserved()
            return '"' + r + '"' if r else "word"
        if self.src in REDIR_OPS:
            return "redirection"
        return '"' + self.src + '"'


class Scanner:
    """Finds where quotes and ``$``-constructs end (nested ones included)."""

    def __init__(self, text: str) -> None:
        self.t = text

    def single(self, i: int) -> int:
        j = self.t.find("'", i)
        if j == -1:
            raise SyntaxErr(OPEN_QUOTE)
        return j

    def back(self, i: int) -> int:
        t = self.t
        while i < len(t):
            if t[i] == "\\":
                i += 2
                continue
            if t[i] == "`":
                return i
            i += 1
        raise SyntaxErr(OPEN_QUOTE)

    def dollar_end(self, i: int) -> int:
        t = self.t
        if t.startswith("${", i):
            return self.brace(i + 2) + 1
        if t.startswith("$((", i):
            j = self.math(i + 3)
            if j >= 0:
                return j + 2
        return self.paren(i + 2) + 1

    def nested(self, i: int) -> int:
        """When a quote or ``$(``/``${`` starts at ``i``: the index after it, else -1."""
        t = self.t
        c = t[i]
        if c == "'":
            return self.single(i + 1) + 1
        if c == '"':
            return self.double(i + 1) + 1
        if c == "$" and i + 1 < len(t) and t[i + 1] in "({":
            return self.dollar_end(i)
        return -1

    def double(self, i: int) -> int:
        t = self.t
        while i < len(t):
            c = t[i]
            if c == "\\":
                i += 2
            elif c == '"':
                return i
            elif c == "`":
                i = self.back(i + 1) + 1
            elif c == "$" and i + 1 < len(t) and t[i + 1] in "({":
                i = self.dollar_end(i)
            else:
                i += 1
        raise SyntaxErr(OPEN_QUOTE)

    def paren(self, i: int) -> int:
        t = self.t
        level = 0
        while i < len(t):
            c = t[i]
            if c == "\\":
                i += 2
                continue
            if c == "`":
                i = self.back(i + 1) + 1
                continue
            j = self.nested(i)
            if j >= 0:
                i = j
                continue
            if c == "(":
                level += 1
            elif c == ")":
                if level == 0:
                    return i
                level -= 1
            i += 1
        raise SyntaxErr(OPEN_QUOTE)

    def math(self, i: int) -> int:
        """Index of the first ``)`` of the ``))`` that closes ``$((``; -1 when it is no arithmetic."""
        t = self.t
        level = 0
        while i < len(t):
            c = t[i]
            if c == "\\":
                i += 2
                continue
            j = self.nested(i)
            if j >= 0:
                i = j
                continue
            if c == "(":
                level += 1
            elif c == ")":
                if level > 0:
                    level -= 1
                else:
                    return i if t[i + 1 : i + 2] == ")" else -1
            i += 1
        return -1

    def brace(self, i: int) -> int:
        t = self.t
        while i < len(t):
            c = t[i]
            if c == "\\":
                i += 2
                continue
            if c == "`":
                i = self.back(i + 1) + 1
                continue
            j = self.nested(i)
            if j >= 0:
                i = j
                continue
            if c == "}":
                return i
            i += 1
        raise SyntaxErr(OPEN_QUOTE)


def _unescape_backquoted(body: str, in_dquotes: bool) -> str:
    specials = "$`\\" + ('"' if in_dquotes else "")
    return re.sub(r"\\([" + re.escape(specials) + "])", r"\1", body)


def _var_piece(body: str, quoted: bool) -> Piece:
    if len(body) > 1 and body[0] == "#" and PNAME.fullmatch(body[1:]) is not None:
        return Piece("var", body[1:], "len", "", quoted)
    m = PNAME.match(body)
    if m is None:
        raise SyntaxErr("bad substitution")
    rest = body[m.end() :]
    if rest == "":
        return Piece("var", m.group(0), "", "", quoted)
    for op in POPS:
        if rest.startswith(op):
            return Piece("var", m.group(0), op, rest[len(op) :], quoted)
    raise SyntaxErr("bad substitution")


class WordReader:
    """Reads the pieces of words (and of double-quoted text) out of a script."""

    def __init__(self, text: str) -> None:
        self.t = text
        self.sc = Scanner(text)

    def dollar(self, i: int, quoted: bool) -> tuple[Piece, int]:
        t = self.t
        if t.startswith("${", i):
            j = self.sc.brace(i + 2)
            return _var_piece(t[i + 2 : j], quoted), j + 1
        if t.startswith("$((", i):
            j = self.sc.math(i + 3)
            if j >= 0:
                return Piece("math", t[i + 3 : j], quoted=quoted), j + 2
        if t.startswith("$(", i):
            j = self.sc.paren(i + 2)
            return Piece("cmd", t[i + 2 : j], quoted=quoted), j + 1
        m = PNAME.match(t, i + 1)
        if m is None:
            return Piece("lit", "$", quoted=quoted), i + 1
        name = m.group(0)
        if name[0] in "0123456789":
            name = name[0]
        return Piece("var", name, quoted=quoted), i + 1 + len(name)

    def dquoted(self, i: int, end: int) -> list[Piece]:
        t = self.t
        out: list[Piece] = []
        lit = ""
        while i < end:
            c = t[i]
            if c == "\\" and i + 1 < end and t[i + 1] in '$`"\\\n':
                lit += "" if t[i + 1] == "\n" else t[i + 1]
                i += 2
                continue
            if c == "$":
                piece, i = self.dollar(i, True)
                if piece.kind == "lit":
                    lit += piece.text
                else:
                    if lit:
                        out.append(Piece("lit", lit, quoted=True))
                        lit = ""
                    out.append(piece)
                continue
            if c == "`":
                j = self.sc.back(i + 1)
                if lit:
                    out.append(Piece("lit", lit, quoted=True))
                    lit = ""
                out.append(Piece("cmd", _unescape_backquoted(t[i + 1 : j], True), quoted=True))
                i = j + 1
                continue
            lit += c
            i += 1
        if lit:
            out.append(Piece("lit", lit, quoted=True))
        return out

    def word(self, i: int, stops: str) -> tuple[list[Piece], int]:
        t = self.t
        out: list[Piece] = []
        lit = ""
        first = i
        while i < len(t) and t[i] not in stops:
            c = t[i]
            if c in "\\'\"$`" or (c == "~" and i == first):
                piece: Piece | None = None
                pieces: list[Piece] = []
                if c == "\\":
                    if i + 1 == len(t):
                        lit += "\\"
                        i += 1
                        continue
                    if t[i + 1] == "\n":
                        i += 2
                        continue
                    piece = Piece("lit", t[i + 1], quoted=True)
                    i += 2
                elif c == "'":
                    j = self.sc.single(i + 1)
                    piece = Piece("lit", t[i + 1 : j], quoted=True)
                    i = j + 1
                elif c == '"':
                    j = self.sc.double(i + 1)
                    pieces = self.dquoted(i + 1, j) if j > i + 1 else [Piece("lit", "", quoted=True)]
                    i = j + 1
                elif c == "$":
                    piece, i = self.dollar(i, False)
                    if piece.kind == "lit":
                        lit += piece.text
                        continue
                elif c == "`":
                    j = self.sc.back(i + 1)
                    piece = Piece("cmd", _unescape_backquoted(t[i + 1 : j], False))
                    i = j + 1
                else:
                    j = i + 1
                    while j < len(t) and t[j] not in stops and t[j] != "/":
                        j += 1
                    if t[i + 1 : j] not in ("", "root"):
                        lit += c
                        i += 1
                        continue
                    piece = Piece("home")
                    i = j
                if lit:
                    out.append(Piece("lit", lit))
                    lit = ""
                if piece is not None:
                    out.append(piece)
                out.extend(pieces)
                continue
            lit += c
            i += 1
        if lit:
            out.append(Piece("lit", lit))
        return out, i


def tokenize(text: str) -> list[Tok]:
    """The whole script as tokens; a quote that does not close (or a bad ``${...}``) ends the
    list with a ``bad`` token, which the parser reports when it gets there."""
    reader = WordReader(text)
    toks: list[Tok] = []
    i = 0
    n = len(text)
    while True:
        while i < n:
            if text[i] == " " or text[i] == "\t":
                i += 1
            elif text[i] == "\\" and text[i + 1 : i + 2] == "\n":
                i += 2
            elif text[i] == "#":
                nl = text.find("\n", i)
                i = n if nl == -1 else nl
            else:
                break
        if i >= n:
            toks.append(Tok("eof"))
            return toks
        if text[i] == "\n":
            toks.append(Tok("nl", "\n"))
            i += 1
            continue
        fd = -1
        at = i
        if text[i] in "0123456789" and i + 1 < n and text[i + 1] in "<>":
            fd = int(text[i])
            at = i + 1
        op = next((o for o in OPERATORS if text.startswith(o, at)), "")
        if op:
            toks.append(Tok("op", op, fd=fd))
            i = at + len(op)
            continue
        try:
            pieces, j = reader.word(i, BREAKERS)
        except SyntaxErr as e:
            toks.append(Tok("bad", str(e)))
            return toks
        toks.append(Tok("word", text[i:j], tuple(pieces)))
        i = j


# == commands ===================================================================================
@dataclass(frozen=True)
class Redirect:
    fd: int
    op: str
    target: tuple[Piece, ...]


@dataclass(frozen=True)
class Cmd:
    """A simple command."""

    assignments: tuple[tuple[str, tuple[Piece, ...]], ...]
    argv: tuple[tuple[Piece, ...], ...]
    redirects: tuple[Redirect, ...]


@dataclass(frozen=True)
class Pipe:
    parts: tuple[Node, ...]
    bang: bool


@dataclass(frozen=True)
class Chain:
    """``a && b || c``: the first pipeline, then (operator, pipeline) pairs."""

    head: Pipe
    tail: tuple[tuple[str, Pipe], ...]


@dataclass(frozen=True)
class Seq:
    entries: tuple[tuple[Chain, bool], ...]


@dataclass(frozen=True)
class Compound:
    """kind: if | while | until | for | case | brace | sub. ``lists``: if: cond, then, cond, then..."""

    kind: str
    lists: tuple[Seq, ...] = ()
    otherwise: Seq | None = None
    var: str = ""
    words: tuple[tuple[Piece, ...], ...] | None = None
    arms: tuple[tuple[tuple[tuple[Piece, ...], ...], Seq | None], ...] = ()
    redirects: tuple[Redirect, ...] = ()


Node = Cmd | Compound


class Parser:
    def __init__(self, script: str) -> None:
        self.toks = tokenize(script)
        self.k = 0
        self.nesting = 0

    def cur(self) -> Tok:
        tok = self.toks[self.k]
        if tok.kind == "bad":
            raise SyntaxErr(tok.src)
        return tok

    def eat(self) -> Tok:
        tok = self.cur()
        if tok.kind != "eof":
            self.k += 1
        return tok

    def is_op(self, *ops: str) -> bool:
        tok = self.cur()
        return tok.kind == "op" and tok.src in ops

    def newlines(self) -> None:
        while self.cur().kind == "nl":
            self.eat()

    def fail(self, tok: Tok, wanted: str = "") -> NoReturn:
        raise SyntaxErr("unexpected " + tok.shown() + (' (expecting "' + wanted + '")' if wanted else ""))

    def need(self, word: str) -> None:
        if self.cur().reserved() != word:
            self.fail(self.cur(), word)
        self.eat()

    def next_command(self) -> Seq | None:
        self.newlines()
        if self.cur().kind == "eof":
            return None
        entries: list[tuple[Chain, bool]] = []
        while True:
            chain = self.chain()
            if self.is_op(";", "&"):
                bg = self.eat().src == "&"
                entries.append((chain, bg))
                if self.cur().kind in ("nl", "eof"):
                    break
            else:
                entries.append((chain, False))
                break
        if self.cur().kind == "nl":
            self.eat()
        elif self.cur().kind != "eof":
            self.fail(self.cur())
        return Seq(tuple(entries))

    def body(self) -> Seq:
        self.newlines()
        entries: list[tuple[Chain, bool]] = []
        while not (self.cur().kind == "eof" or self.cur().reserved() in ENDERS or self.is_op(")", ";;")):
            chain = self.chain()
            if self.is_op(";", "&"):
                entries.append((chain, self.eat().src == "&"))
            elif self.cur().kind == "nl":
                self.eat()
                entries.append((chain, False))
            else:
                entries.append((chain, False))
                break
            self.newlines()
        if not entries and self.cur().kind != "eof":
            self.fail(self.cur())  # empty at the end of the script: the caller names what it needed
        return Seq(tuple(entries))

    def chain(self) -> Chain:
        head = self.pipe()
        tail: list[tuple[str, Pipe]] = []
        while self.is_op("&&", "||"):
            op = self.eat().src
            self.newlines()
            tail.append((op, self.pipe()))
        return Chain(head, tuple(tail))

    def pipe(self) -> Pipe:
        bang = False
        while self.cur().reserved() == "!":
            self.eat()
            bang = not bang
        parts = [self.command()]
        while self.is_op("|"):
            self.eat()
            self.newlines()
            parts.append(self.command())
        return Pipe(tuple(parts), bang)

    def command(self) -> Node:
        tok = self.cur()
        word = tok.reserved()
        if word in ("if", "while", "until", "for", "case", "{") or self.is_op("("):
            self.nesting += 1
            if self.nesting > DEPTH_LIMIT:
                raise OverLimit
            node = self.compound()
            self.nesting -= 1
            redirects: list[Redirect] = []
            while self.cur().kind == "op" and self.cur().src in REDIR_OPS:
                redirects.append(self.redirect())
            return Compound(node.kind, node.lists, node.otherwise, node.var, node.words, node.arms, tuple(redirects))
        if word:
            self.fail(tok)
        return self.simple()

    def redirect(self) -> Redirect:
        tok = self.eat()
        if tok.src in ("<<", "<<-"):
            raise SyntaxErr("here-documents are outside the runtime contract")
        target = self.cur()
        if target.kind != "word":
            self.fail(target)
        self.eat()
        fd = tok.fd
        if fd < 0:
            fd = 0 if tok.src in ("<", "<&", "<>") else 1
        return Redirect(fd, tok.src, target.pieces)

    def simple(self) -> Cmd:
        assignments: list[tuple[str, tuple[Piece, ...]]] = []
        argv: list[tuple[Piece, ...]] = []
        redirects: list[Redirect] = []
        while True:
            tok = self.cur()
            if tok.kind == "op" and tok.src in REDIR_OPS:
                redirects.append(self.redirect())
                continue
            if tok.kind != "word":
                break
            self.eat()
            pair = _as_assignment(tok.pieces) if not argv else None
            if pair is None:
                argv.append(tok.pieces)
            else:
                assignments.append(pair)
        if not assignments and not argv and not redirects:
            self.fail(self.cur())
        return Cmd(tuple(assignments), tuple(argv), tuple(redirects))

    def compound(self) -> Compound:
        kind = self.eat()
        word = kind.reserved()
        if word == "if":
            lists: list[Seq] = []
            otherwise: Seq | None = None
            while True:
                lists.append(self.body())
                self.need("then")
                lists.append(self.body())
                following = self.cur().reserved()
                if following == "elif":
                    self.eat()
                elif following == "else":
                    self.eat()
                    otherwise = self.body()
                    break
                else:
                    break
            self.need("fi")
            return Compound("if", tuple(lists), otherwise)
        if word == "while" or word == "until":
            cond = self.body()
            self.need("do")
            loop_body = self.body()
            self.need("done")
            return Compound(word, (cond, loop_body))
        if word == "for":
            return self.for_loop()
        if word == "case":
            return self.case()
        if word == "{":
            inner = self.body()
            self.need("}")
            return Compound("brace", (inner,))
        inner = self.body()
        if not self.is_op(")"):
            self.fail(self.cur(), ")")
        self.eat()
        return Compound("sub", (inner,))

    def for_loop(self) -> Compound:
        name = self.eat()
        if name.kind != "word" or NAME.fullmatch(name.src) is None:
            raise SyntaxErr("bad for loop variable")
        self.newlines()
        words: tuple[tuple[Piece, ...], ...] | None = None
        if self.cur().reserved() == "in":
            self.eat()
            got: list[tuple[Piece, ...]] = []
            while self.cur().kind == "word":
                got.append(self.eat().pieces)
            words = tuple(got)
            if self.cur().kind == "nl" or self.is_op(";"):
                self.eat()
            else:
                self.fail(self.cur(), "do")
        elif self.is_op(";"):
            self.eat()
        self.newlines()
        self.need("do")
        inner = self.body()
        self.need("done")
        return Compound("for", (inner,), var=name.src, words=words)

    def case(self) -> Compound:
        subject = self.eat()
        if subject.kind != "word":
            self.fail(subject)
        self.newlines()
        self.need("in")
        arms: list[tuple[tuple[tuple[Piece, ...], ...], Seq | None]] = []
        while True:
            self.newlines()
            if self.cur().reserved() == "esac":
                self.eat()
                return Compound("case", words=(subject.pieces,), arms=tuple(arms))
            if self.is_op("("):
                self.eat()
            pats: list[tuple[Piece, ...]] = []
            while True:
                pat = self.eat()
                if pat.kind != "word":
                    self.fail(pat, ")")
                pats.append(pat.pieces)
                sep = self.eat()
                if sep.kind == "op" and sep.src == "|":
                    continue
                if sep.kind == "op" and sep.src == ")":
                    break
                self.fail(sep, ")")
            self.newlines()
            arm: Seq | None = None
            if not (self.cur().reserved() == "esac" or self.is_op(";;")):
                arm = self.body()
            arms.append((tuple(pats), arm))
            if self.is_op(";;"):
                self.eat()
            elif self.cur().reserved() != "esac":
                self.fail(self.cur(), "esac")


def _as_assignment(pieces: tuple[Piece, ...]) -> tuple[str, tuple[Piece, ...]] | None:
    if not pieces or pieces[0].kind != "lit" or pieces[0].quoted:
        return None
    m = re.match(r"[A-Za-z_][A-Za-z0-9_]*=", pieces[0].text)
    if m is None:
        return None
    value = pieces[0].text[m.end() :]
    head = (Piece("lit", value),) if value else ()
    return m.group(0)[:-1], head + pieces[1:]


def _arg_pieces(text: str, quoted: bool) -> list[Piece]:
    """The word of ``${x-word}`` / a pattern / ``$((...))``, read in its expansion's quoting."""
    reader = WordReader(text)
    if quoted:
        return reader.dquoted(0, len(text))
    return reader.word(0, "")[0]


# == the container's files ======================================================================
@dataclass
class Entry:
    kind: str  # dir | file | dev
    data: str | None = None  # contents; None when not known


def _clean(path: str) -> str:
    parts: list[str] = []
    for p in path.split("/"):
        if p == "..":
            if parts:
                parts.pop()
        elif p and p != ".":
            parts.append(p)
    return "/" + "/".join(parts)


def _fresh_files(hostname: str) -> dict[str, Entry]:
    fs: dict[str, Entry] = {}
    for d in ("/", "/bin", "/dev", "/etc", "/home", "/lib", "/proc", "/root", "/sbin", "/sys", "/tmp", "/usr",
              "/usr/bin", "/usr/sbin", "/var"):  # fmt: skip
        fs[d] = Entry("dir")
    for d in ("/dev/null", "/dev/zero", "/dev/random", "/dev/urandom", "/dev/stdin", "/dev/stdout", "/dev/stderr"):
        fs[d] = Entry("dev")
    for f in ("/etc/group", "/etc/hosts", "/etc/passwd", "/etc/resolv.conf"):
        fs[f] = Entry("file")
    fs["/etc/hostname"] = Entry("file", hostname + "\n")
    fs["/dev/termination-log"] = Entry("file", "")
    for d in BIN_DIRS:
        for a in APPLET_NAMES:
            fs[d + "/" + a] = Entry("file")
    return fs


def applet_for(name: str) -> str:
    """The applet ``name`` runs ('' when none): a bare applet name, or one in a bin directory."""
    if "/" in name:
        path = _clean(name)
        cut = path.rfind("/")
        folder, base = path[:cut], path[cut + 1 :]
        return base if folder in BIN_DIRS and base in APPLET_NAMES else ""
    return name if name in APPLET_NAMES else ""


# == where output goes ==========================================================================
@dataclass
class Machine:
    """What a container's processes share."""

    hostname: str
    fs: dict[str, Entry]
    printed: list[str] = field(default_factory=list)
    newlines: int = 0
    steps: int = 0
    last_pid: int = 1
    # the traps of the shell running as PID 1; None when exec made an applet PID 1
    init_traps: dict[str, str] | None = None

    def step(self, count: int = 1) -> None:
        self.steps += count
        if self.steps > STEP_LIMIT:
            raise OverLimit

    def lines(self) -> tuple[str, ...]:
        text = "".join(self.printed)
        out = text.split("\n")
        if out[-1] == "":
            out = out[:-1]
        return tuple(out[:LOG_LINES])


class Out:
    """A write end. kind: log | null | file | buffer."""

    def __init__(self, kind: str, path: str = "") -> None:
        self.kind = kind
        self.path = path
        self.buf: list[str] = []
        self.size = 0

    def put(self, m: Machine, text: str) -> None:
        if self.kind == "log":
            if m.newlines < LOG_LINES:
                m.printed.append(text)
                m.newlines += text.count("\n")
        elif self.kind == "file":
            entry = m.fs.get(self.path)
            if entry is not None and entry.kind == "file" and entry.data is not None:
                if len(entry.data) + len(text) > TEXT_LIMIT:
                    raise OverLimit
                entry.data = entry.data + text
        elif self.kind == "buffer":
            self.size += len(text)
            if self.size > TEXT_LIMIT:
                raise OverLimit
            self.buf.append(text)

    def ident(self) -> str:
        if self.kind == "file":
            return "file " + self.path
        if self.kind == "buffer":
            return "buffer " + str(id(self))
        return self.kind


class In:
    """A read end."""

    def __init__(self, data: str = "") -> None:
        self.data = data
        self.at = 0

    def rest(self) -> str:
        text = self.data[self.at :]
        self.at = len(self.data)
        return text

    def line(self) -> str | None:
        if self.at >= len(self.data):
            return None
        nl = self.data.find("\n", self.at)
        stop = len(self.data) if nl == -1 else nl + 1
        text = self.data[self.at : stop]
        self.at = stop
        return text


Fd = Out | In


# == $((...)) ====================================================================================
MATH_TOKEN = re.compile(
    r"[ \t\n\r\f\v]*(?:(0[xX][0-9A-Za-z]*|[0-9][0-9A-Za-z]*)|([A-Za-z_][A-Za-z0-9_]*)|"
    r"(<<=|>>=|\*\*|<<|>>|<=|>=|==|!=|&&|\|\||\+=|-=|\*=|/=|%=|&=|\^=|\|=|[-+*/%<>&^|!~?:()=]))"
)
MATH_LEVELS = (("||",), ("&&",), ("|",), ("^",), ("&",), ("==", "!="), ("<", "<=", ">", ">="), ("<<", ">>"),
               ("+", "-"), ("*", "/", "%"))  # fmt: skip
SETTERS = ("=", "+=", "-=", "*=", "/=", "%=", "<<=", ">>=", "&=", "^=", "|=")
MASK = (1 << 64) - 1


def signed64(v: int) -> int:
    v &= MASK
    return v - (1 << 64) if v >> 63 else v


def apply_op(op: str, a: int, b: int) -> int:
    if op == "/" or op == "%":
        if b == 0:
            raise MathErr("divide by zero")
        q = abs(a) // abs(b)
        if (a < 0) != (b < 0):
            q = -q
        q = signed64(q)
        return q if op == "/" else signed64(a - b * q)
    if op == "**":
        if b < 0:
            raise MathErr("exponent less than 0")
        return signed64(pow(a, b, 1 << 64))
    if op == "+":
        r = a + b
    elif op == "-":
        r = a - b
    elif op == "*":
        r = a * b
    elif op == "<<":
        r = a << (b & 63)
    elif op == ">>":
        r = a >> (b & 63)
    elif op == "&":
        r = a & b
    elif op == "|":
        r = a | b
    elif op == "^":
        r = a ^ b
    elif op == "<":
        r = 1 if a < b else 0
    elif op == "<=":
        r = 1 if a <= b else 0
    elif op == ">":
        r = 1 if a > b else 0
    elif op == ">=":
        r = 1 if a >= b else 0
    elif op == "==":
        r = 1 if a == b else 0
    else:
        r = 1 if a != b else 0
    return signed64(r)


def math_literal(text: str) -> int:
    if text.startswith(("0x", "0X")):
        digits, base = text[2:], 16
    elif text.startswith("0") and len(text) > 1:
        digits, base = text[1:], 8
    else:
        digits, base = text, 10
    try:
        return signed64(int(digits, base))
    except ValueError:
        raise MathErr("arithmetic syntax error") from None


class MathEval:
    """ash's arithmetic: C operators and precedence on 64-bit integers."""

    def __init__(self, proc: Proc, text: str, busy: tuple[str, ...] = ()) -> None:
        self.proc = proc
        self.busy = busy
        self.toks: list[tuple[int, str]] = []  # (0 number | 1 name | 2 operator, text)
        self.k = 0
        at = 0
        while at < len(text):
            m = MATH_TOKEN.match(text, at)
            if m is None:
                if text[at:].strip() != "":
                    raise MathErr("arithmetic syntax error")
                break
            if m.group(1) is not None:
                self.toks.append((0, m.group(1)))
            elif m.group(2) is not None:
                self.toks.append((1, m.group(2)))
            else:
                self.toks.append((2, m.group(3)))
            at = m.end()

    def run(self) -> int:
        if not self.toks:
            return 0
        v = self.assign(True)
        if self.k < len(self.toks):
            raise MathErr("arithmetic syntax error")
        return v

    def op_here(self) -> str:
        if self.k < len(self.toks) and self.toks[self.k][0] == 2:
            return self.toks[self.k][1]
        return ""

    def assign(self, on: bool) -> int:
        if self.k + 1 < len(self.toks) and self.toks[self.k][0] == 1 and self.toks[self.k + 1][0] == 2:
            setter = self.toks[self.k + 1][1]
            if setter in SETTERS:
                name = self.toks[self.k][1]
                self.k += 2
                v = self.assign(on)
                if on:
                    if setter != "=":
                        v = apply_op(setter[:-1], self.value_of(name), v)
                    self.proc.setvar(name, str(v))
                return v
        return self.cond(on)

    def cond(self, on: bool) -> int:
        test = self.level(0, on)
        if self.op_here() != "?":
            return test
        self.k += 1
        a = self.assign(on and test != 0)
        if self.op_here() != ":":
            raise MathErr("arithmetic syntax error")
        self.k += 1
        b = self.cond(on and test == 0)
        return a if test != 0 else b

    def level(self, n: int, on: bool) -> int:
        if n >= len(MATH_LEVELS):
            return self.power(on)
        v = self.level(n + 1, on)
        while self.op_here() in MATH_LEVELS[n]:
            op = self.op_here()
            self.k += 1
            if op == "&&":
                w = self.level(n + 1, on and v != 0)
                v = (1 if v != 0 and w != 0 else 0) if on else 0
            elif op == "||":
                w = self.level(n + 1, on and v == 0)
                v = (1 if v != 0 or w != 0 else 0) if on else 0
            else:
                w = self.level(n + 1, on)
                v = apply_op(op, v, w) if on else 0
        return v

    def power(self, on: bool) -> int:
        base = self.unary(on)
        if self.op_here() == "**":
            self.k += 1
            exp = self.power(on)
            return apply_op("**", base, exp) if on else 0
        return base

    def unary(self, on: bool) -> int:
        op = self.op_here()
        if op in ("+", "-", "!", "~"):
            self.k += 1
            v = self.unary(on)
            if op == "-":
                return signed64(-v)
            if op == "!":
                return 1 if v == 0 else 0
            if op == "~":
                return signed64(~v)
            return v
        return self.atom(on)

    def atom(self, on: bool) -> int:
        if self.k >= len(self.toks):
            raise MathErr("arithmetic syntax error")
        kind, text = self.toks[self.k]
        self.k += 1
        if kind == 0:
            return math_literal(text)
        if kind == 1:
            return self.value_of(text) if on else 0
        if text != "(":
            raise MathErr("arithmetic syntax error")
        self.proc.deeper()
        try:
            v = self.assign(on)
        finally:
            self.proc.depth -= 1
        if self.op_here() != ")":
            raise MathErr("arithmetic syntax error")
        self.k += 1
        return v

    def value_of(self, name: str) -> int:
        raw = self.proc.get(name)
        if raw is None or raw.strip() == "":
            return 0
        if re.fullmatch(r"\s*-?[0-9]+\s*", raw) is not None:
            return signed64(int(raw))
        if name in self.busy:
            raise MathErr("expression recursion loop detected")
        self.proc.deeper()
        try:
            return MathEval(self.proc, raw, (*self.busy, name)).run()
        finally:
            self.proc.depth -= 1


# == patterns, splitting ========================================================================
def _class_at(text: str, i: int) -> tuple[str, int]:
    """A ``[...]`` class starting at ``i`` as regex and its closing index; ('', -1) if none."""
    j = i + 1
    if j < len(text) and text[j] in "!^":
        j += 1
    close = text.find("]", j + 1)
    if close == -1:
        return "", -1
    members = text[i + 1 : close]
    neg = members[:1] == "!" or members[:1] == "^"
    if neg:
        members = members[1:]
    escaped = ""
    for ch in members:
        escaped += "\\" + ch if ch in "\\]^[" else ch
    rx = "[" + ("^" if neg else "") + escaped + "]"
    try:
        re.compile(rx)
    except re.error:
        return "", -1
    return rx, close


def pattern_rx(chunks: Sequence[tuple[str, bool, bool]]) -> str:
    rx = ""
    for text, quoted, _ in chunks:
        if quoted:
            rx += re.escape(text)
            continue
        i = 0
        while i < len(text):
            c = text[i]
            if c == "*":
                rx += ".*"
            elif c == "?":
                rx += "."
            elif c == "[":
                cls, close = _class_at(text, i)
                if close == -1:
                    rx += re.escape(c)
                else:
                    rx += cls
                    i = close
            else:
                rx += re.escape(c)
            i += 1
    return rx


def remove_affix(value: str, rx: str, op: str) -> str:
    pat = re.compile(rx, re.DOTALL)
    size = len(value)
    if op[0] == "#":
        order = list(range(size + 1))
        if op == "##":
            order.reverse()
        for cut in order:
            if pat.fullmatch(value, 0, cut) is not None:
                return value[cut:]
        return value
    order = list(range(size, -1, -1))
    if op == "%%":
        order.reverse()
    for cut in order:
        if pat.fullmatch(value, cut, size) is not None:
            return value[:cut]
    return value


def ifs_cut(text: str, ifs: str) -> list[tuple[str, bool]]:
    """Pieces of ``text`` between IFS delimiters, each with whether a non-blank IFS character
    ended the delimiter before it (the first piece: False)."""
    white = "".join(c for c in ifs if c in " \t\n")
    other = "".join(c for c in ifs if c not in " \t\n")
    out: list[tuple[str, bool]] = []
    piece = ""
    before = False
    i = 0
    while i < len(text):
        c = text[i]
        if c not in white and c not in other:
            piece += c
            i += 1
            continue
        hard = False
        while i < len(text) and text[i] in white:
            i += 1
        if i < len(text) and text[i] in other:
            hard = True
            i += 1
            while i < len(text) and text[i] in white:
                i += 1
        out.append((piece, before))
        piece = ""
        before = hard
    out.append((piece, before))
    return out


def read_split(line: str, ifs: str, count: int) -> list[str]:
    white = "".join(c for c in ifs if c in " \t\n")
    rest = line.strip(white)
    values: list[str] = []
    while len(values) < count - 1:
        cut = -1
        for k, c in enumerate(rest):
            if c in ifs:
                cut = k
                break
        if cut == -1 or not ifs:
            values.append(rest)
            rest = ""
            continue
        values.append(rest[:cut])
        rest = rest[cut:].lstrip(white)
        if rest != "" and rest[0] in ifs:
            rest = rest[1:].lstrip(white)
    values.append(rest)
    return values


SIGNAL_NAMES = ("HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2", "PIPE",
                "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ",
                "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS")  # fmt: skip


def signal_of(spec: str) -> str:
    if DIGITS.fullmatch(spec) is not None:
        n = int(spec)
        if n == 0:
            return "EXIT"
        if n <= len(SIGNAL_NAMES):
            return SIGNAL_NAMES[n - 1]
        return "RT" if n <= 64 else ""
    upper = spec.upper()
    if upper.startswith("SIG"):
        upper = upper[3:]
    return upper if upper in SIGNAL_NAMES or upper == "EXIT" else ""


def term_stops(traps: dict[str, str] | None) -> bool:
    """Whether a PID 1 with these traps stops on SIGTERM: its TERM trap runs ``exit``."""
    if traps is None or not traps.get("TERM"):
        return False
    return re.search(r"(^|[\s;&|()`])exit($|[\s;&|()`])", traps["TERM"]) is not None


# == a shell process ============================================================================
class Proc:
    """One ``sh`` process of the container."""

    def __init__(self, m: Machine, env: Mapping[str, str], name: str, argv: Sequence[str], fds: dict[int, Fd],
                 now: float, depth: int, cwd: str) -> None:  # fmt: skip
        self.m = m
        self.vars: dict[str, str] = dict(env)
        self.exp: set[str] = set(env)
        self.name = name
        self.argv = list(argv)
        self.rc = 0
        self.flags: set[str] = set()
        self.traps: dict[str, str] = {}
        self.fds = fds
        self.now = now
        self.depth = depth
        self.cwd = cwd
        self.bg: dict[str, tuple[float, int]] = {}
        self.bang: str | None = None
        self.in_loops = 0
        self.cmdsub_rc = -1

    # -- small helpers -------------------------------------------------------------------------
    def deeper(self) -> None:
        self.depth += 1
        if self.depth > DEPTH_LIMIT:
            raise OverLimit

    def emit(self, fd: int, text: str) -> None:
        target = self.fds.get(fd)
        if isinstance(target, Out):
            target.put(self.m, text)

    def complain(self, text: str) -> None:
        self.emit(2, self.name + ": " + text + "\n")

    def reader(self) -> In:
        src = self.fds.get(0)
        if isinstance(src, In):
            return src
        return In()

    def path(self, p: str) -> str:
        return _clean(p) if p.startswith("/") else _clean(self.cwd + "/" + p)

    def setvar(self, name: str, value: str) -> None:
        if len(value) > TEXT_LIMIT:
            raise OverLimit
        self.vars[name] = value

    def exported_env(self, extra: Sequence[tuple[str, str]] = ()) -> dict[str, str]:
        out: dict[str, str] = {}
        for k, v in self.vars.items():
            if k in self.exp:
                out[k] = v
        for k, v in extra:
            out[k] = v
        return out

    def fork(self, fds: dict[int, Fd] | None = None) -> Proc:
        sub = Proc(self.m, {}, self.name, self.argv, dict(self.fds if fds is None else fds), self.now, self.depth,
                   self.cwd)  # fmt: skip
        sub.vars = dict(self.vars)
        sub.exp = set(self.exp)
        sub.rc = self.rc
        sub.flags = set(self.flags)
        for sig, action in self.traps.items():
            if action == "" and sig != "EXIT":
                sub.traps[sig] = action
        sub.bang = self.bang
        sub.deeper()
        return sub

    def get(self, name: str) -> str | None:
        if name in ("@", "*"):
            return " ".join(self.argv)
        if name == "?":
            return str(self.rc)
        if name == "#":
            return str(len(self.argv))
        if name == "$":
            return "1"
        if name == "!":
            return self.bang
        if name == "-":
            return ("e" if "errexit" in self.flags else "") + ("u" if "nounset" in self.flags else "")
        if name[0] in "0123456789":
            n = int(name)
            if n == 0:
                return self.name
            if n <= len(self.argv):
                return self.argv[n - 1]
            return None
        return self.vars.get(name)

    def fingerprint(self) -> tuple[object, ...]:
        """The state a loop round starts from (what the next rounds can depend on)."""
        fs = tuple(sorted((p, e.kind, e.data) for p, e in self.m.fs.items()))
        jobs = tuple(sorted((pid, max(0.0, end - self.now), rc) for pid, (end, rc) in self.bg.items()))
        fds: list[tuple[int, str]] = []
        for fd in sorted(self.fds):
            f = self.fds[fd]
            fds.append((fd, f.ident() if isinstance(f, Out) else "in " + str(id(f)) + " " + str(f.at)))
        return (tuple(sorted(self.vars.items())), tuple(sorted(self.exp)), tuple(self.argv), self.rc,
                tuple(sorted(self.flags)), tuple(sorted(self.traps.items())), self.cwd, fs, jobs, tuple(fds),
                self.bang)  # fmt: skip

    # -- a whole script --------------------------------------------------------------------------
    def main(self, script: str) -> int:
        try:
            self.source(script)
            code = self.rc
        except Exited as e:
            code = e.code
        if self.traps.get("EXIT"):
            action = self.traps.pop("EXIT")
            self.rc = code
            try:
                self.source(action)
            except Exited as e:
                code = e.code
        else:
            self.traps.pop("EXIT", None)
        return code & 255

    def source(self, script: str) -> None:
        parser = Parser(script)
        while True:
            try:
                node = parser.next_command()
            except SyntaxErr as e:
                self.complain("syntax error: " + str(e))
                raise Exited(2) from None
            if node is None:
                break
            self.seq(node, False)

    def seq(self, node: Seq, tested: bool) -> None:
        for chain, bg in node.entries:
            if bg:
                self.spawn(chain)
            else:
                self.chain(chain, tested)

    def chain(self, node: Chain, tested: bool) -> None:
        self.pipe(node.head, tested or len(node.tail) > 0)
        last = len(node.tail) - 1
        for k, (op, p) in enumerate(node.tail):
            if op == "&&" and self.rc != 0:
                continue
            if op == "||" and self.rc == 0:
                continue
            self.pipe(p, tested or k != last)

    def check_errexit(self, tested: bool) -> None:
        if not tested and self.rc != 0 and "errexit" in self.flags:
            raise Exited(self.rc)

    def pipe(self, node: Pipe, tested: bool) -> None:
        if len(node.parts) > 1:
            self.pipeline(node.parts)
            self.check_errexit(tested or node.bang)
        else:
            self.node(node.parts[0], tested or node.bang)
        if node.bang:
            self.rc = 1 if self.rc == 0 else 0

    def pipeline(self, parts: Sequence[Node]) -> None:
        feed = self.reader()
        finish: list[float] = []
        codes: list[int] = []
        stuck = False
        for k, part in enumerate(parts):
            fds = dict(self.fds)
            fds[0] = feed
            buf: Out | None = None
            if k + 1 < len(parts):
                buf = Out("buffer")
                fds[1] = buf
            sub = self.fork(fds)
            try:
                sub.node(part, False)
                codes.append(sub.rc)
            except Exited as e:
                codes.append(e.code & 255)
            except Blocked:
                stuck = True
                codes.append(0)
            finish.append(sub.now)
            if buf is not None:
                feed = In("".join(buf.buf))
        if stuck:
            raise Blocked
        self.now = max(finish)
        rc = codes[-1]
        if "pipefail" in self.flags:
            rc = 0
            for c in codes:
                if c != 0:
                    rc = c
        self.rc = rc

    def spawn(self, node: Chain) -> None:
        sub = self.fork()
        try:
            sub.chain(node, False)
            end, rc = sub.now, sub.rc
        except Exited as e:
            end, rc = sub.now, e.code & 255
        except Blocked:
            end, rc = FOREVER, 0
        if len(self.bg) >= JOBS_LIMIT:
            raise OverLimit
        self.m.last_pid += 1
        pid = str(self.m.last_pid)
        self.bg[pid] = (end, rc)
        self.bang = pid
        self.rc = 0

    def node(self, node: Node, tested: bool) -> None:
        if isinstance(node, Cmd):
            self.command(node, tested)
            return
        keep = dict(self.fds)
        try:
            if self.redirects(node.redirects):
                self.compound(node, tested)
            else:
                self.rc = 1
        finally:
            self.fds = keep

    def compound(self, node: Compound, tested: bool) -> None:
        kind = node.kind
        if kind == "if":
            for k in range(0, len(node.lists), 2):
                self.seq(node.lists[k], True)
                if self.rc == 0:
                    self.seq(node.lists[k + 1], tested)
                    return
            if node.otherwise is None:
                self.rc = 0
            else:
                self.seq(node.otherwise, tested)
        elif kind == "while" or kind == "until":
            self.while_loop(node, kind == "until", tested)
        elif kind == "for":
            self.for_loop(node, tested)
        elif kind == "case":
            self.case(node, tested)
        elif kind == "sub":
            sub = self.fork()
            try:
                sub.seq(node.lists[0], tested)
                self.rc = sub.rc
            except Exited as e:
                self.rc = e.code & 255
            self.now = sub.now
            self.check_errexit(tested)
        else:
            self.seq(node.lists[0], tested)

    def one_round(self, body: Seq, tested: bool) -> bool:
        try:
            self.seq(body, tested)
        except LoopJump as j:
            if j.count > 1:
                raise LoopJump(j.count - 1, j.cont) from None
            return j.cont
        return True

    def while_loop(self, node: Compound, until: bool, tested: bool) -> None:
        been: set[tuple[object, ...]] = set()
        rc = 0
        self.in_loops += 1
        try:
            while True:
                fp = self.fingerprint()
                if fp in been:
                    raise Blocked
                been.add(fp)
                self.m.step()
                if not self.one_round(node.lists[0], True):
                    break
                if until == (self.rc == 0):
                    break
                going = self.one_round(node.lists[1], tested)
                rc = self.rc
                if not going:
                    break
        finally:
            self.in_loops -= 1
        self.rc = rc

    def for_loop(self, node: Compound, tested: bool) -> None:
        if node.words is None:
            values = list(self.argv)
        else:
            values = []
            for w in node.words:
                values.extend(self.split_word(w))
        rc = 0
        self.in_loops += 1
        try:
            for v in values:
                self.m.step()
                self.setvar(node.var, v)
                going = self.one_round(node.lists[0], tested)
                rc = self.rc
                if not going:
                    break
        finally:
            self.in_loops -= 1
        self.rc = rc

    def case(self, node: Compound, tested: bool) -> None:
        assert node.words is not None
        subject = self.join_word(node.words[0])
        for pats, arm in node.arms:
            for pat in pats:
                if re.fullmatch(pattern_rx(self.chunks(pat)), subject, re.DOTALL) is not None:
                    if arm is None:
                        self.rc = 0
                    else:
                        self.seq(arm, tested)
                    return
        self.rc = 0

    # -- one command -------------------------------------------------------------------------------
    def command(self, node: Cmd, tested: bool) -> None:
        self.m.step()
        self.cmdsub_rc = -1
        words: list[str] = []
        for w in node.argv:
            words.extend(self.split_word(w))
        if not words:
            for name, value in node.assignments:
                self.setvar(name, self.join_word(value))
            keep = dict(self.fds)
            try:
                ok = self.redirects(node.redirects)
            finally:
                self.fds = keep
            if not ok:
                self.rc = 1
            else:
                self.rc = self.cmdsub_rc if self.cmdsub_rc >= 0 else 0
            self.check_errexit(tested)
            return
        extra = [(name, self.join_word(value)) for name, value in node.assignments]
        if words[0] == "exec" and len(words) == 1:
            for key, text in extra:
                self.setvar(key, text)
            self.rc = 0 if self.redirects(node.redirects) else 1
            return
        keep = dict(self.fds)
        try:
            if self.redirects(node.redirects):
                self.rc = self.dispatch(words[0], words[1:], extra) & 255
            else:
                self.rc = 1
        finally:
            self.fds = keep
        self.check_errexit(tested)

    def dispatch(self, name: str, args: list[str], extra: list[tuple[str, str]]) -> int:
        if "/" not in name:
            if name in SPECIAL:
                for k, v in extra:
                    self.setvar(k, v)
                return self.special(name, args)
            if name in REGULAR:
                return self.regular(name, args)
        applet = applet_for(name)
        if applet == "":
            self.complain(name + ": not found")
            return 127
        return self.execute(applet, name, args, self.exported_env(extra))

    def execute(self, applet: str, called: str, args: list[str], env: dict[str, str]) -> int:
        if applet == "sh" or applet == "ash":
            self.deeper()
            try:
                return self.shell(called, args, env, False)
            finally:
                self.depth -= 1
        return Tools(self, env, "").call(applet, called, args)

    def shell(self, called: str, args: list[str], env: dict[str, str], as_init: bool) -> int:
        """A child ``sh``: its options, ``-c`` script, ``$0`` and parameters; or stdin as script."""
        flags: set[str] = set()
        with_c = False
        problem = ""
        k = 0
        while k < len(args) and len(args[k]) > 1 and args[k][0] in "-+" and args[k] != "--":
            word = args[k]
            for ch in word[1:]:
                if ch == "c":
                    with_c = True
                elif ch == "e" or ch == "u":
                    flag = "errexit" if ch == "e" else "nounset"
                    if word[0] == "-":
                        flags.add(flag)
                    else:
                        flags.discard(flag)
                elif ch == "o":
                    k += 1
                    if k < len(args) and args[k] == "pipefail":
                        flags.add("pipefail")
                elif ch not in "xvfaCnmbhisl":
                    problem = called + ": illegal option " + word[0] + ch
                    break
            if problem:
                break
            k += 1
        if not problem and k < len(args) and args[k] == "--":
            k += 1
        rest = args[k:]
        name, params, script = called, [], None
        if not problem:
            if with_c:
                if not rest:
                    problem = called + ": -c requires an argument"
                else:
                    script = rest[0]
                    if len(rest) > 1:
                        name = rest[1]
                    params = rest[2:]
            elif rest:
                problem = called + ": can't open '" + rest[0] + "': No such file or directory"
        child = Proc(self.m, env, name, params, dict(self.fds), self.now, self.depth, self.cwd)
        if as_init:
            self.m.init_traps = child.traps
        if problem:
            child.emit(2, problem + "\n")
            return 2
        child.flags = flags
        text = script if script is not None else self.reader().rest()
        code = child.main(text)
        self.now = child.now
        return code

    # -- expanding words ------------------------------------------------------------------------------
    def chunks(self, pieces: Sequence[Piece]) -> list[tuple[str, bool, bool]]:
        """(text, quoted, came from an expansion) for each piece of a word."""
        out: list[tuple[str, bool, bool]] = []
        for p in pieces:
            if p.kind == "lit":
                out.append((p.text, p.quoted, False))
            elif p.kind == "home":
                out.append((self.vars.get("HOME", ""), True, True))
            elif p.kind == "var":
                out.extend(self.variable(p))
            elif p.kind == "cmd":
                out.append((self.command_output(p.text), p.quoted, True))
            else:
                out.append((str(self.math(p.text)), p.quoted, True))
        total = 0
        for text, _, _ in out:
            total += len(text)
        if total > TEXT_LIMIT:
            raise OverLimit
        return out

    def join_word(self, pieces: Sequence[Piece]) -> str:
        return "".join(t for t, _, _ in self.chunks(pieces))

    def split_word(self, pieces: Sequence[Piece]) -> list[str]:
        ifs = self.vars.get("IFS", " \t\n")
        words: list[str] = []
        current = ""
        started = False
        for text, quoted, expanded in self.chunks(pieces):
            if quoted or not expanded or ifs == "":
                current += text
                if quoted or text != "":
                    started = True
                continue
            for k, (piece, hard) in enumerate(ifs_cut(text, ifs)):
                if k > 0:
                    if hard or started or current != "":
                        words.append(current)
                    current = ""
                    started = False
                current += piece
                if piece != "":
                    started = True
        if started or current != "":
            words.append(current)
        return words

    def variable(self, p: Piece) -> list[tuple[str, bool, bool]]:
        value = self.get(p.text)
        op = p.op

        def word() -> list[tuple[str, bool, bool]]:
            self.deeper()
            try:
                got = self.chunks(self.inner(p.arg, p.quoted))
            finally:
                self.depth -= 1
            return [(t, q or p.quoted, True) for t, q, _ in got]

        if op != "" and op.lstrip(":") in ("-", "=", "+", "?"):
            unset = value is None or (op[0] == ":" and value == "")
            kind = op[-1]
            if kind == "-":
                return word() if unset else [(value or "", p.quoted, True)]
            if kind == "+":
                return [] if unset else word()
            if kind == "=":
                if not unset:
                    return [(value or "", p.quoted, True)]
                assigned = "".join(t for t, _, _ in word())
                if NAME.fullmatch(p.text) is not None:
                    self.setvar(p.text, assigned)
                return [(assigned, p.quoted, True)]
            if unset:
                said = "".join(t for t, _, _ in word())
                self.complain(p.text + ": " + (said if said else "parameter not set"))
                raise Exited(2)
            return [(value or "", p.quoted, True)]
        if value is None and "nounset" in self.flags and p.text not in ("@", "*"):
            self.complain(p.text + ": parameter not set")
            raise Exited(2)
        text = value if value is not None else ""
        if op == "len":
            return [(str(len(text)), p.quoted, True)]
        if op in ("#", "##", "%", "%%"):
            return [(remove_affix(text, pattern_rx(word()), op), p.quoted, True)]
        return [(text, p.quoted, True)]

    def inner(self, text: str, quoted: bool) -> list[Piece]:
        """The pieces of the word inside ``${x-word}`` or ``$((...))``, read when expanded; a
        syntax error there ends the shell like one in the script."""
        try:
            return _arg_pieces(text, quoted)
        except SyntaxErr as e:
            self.complain("syntax error: " + str(e))
            raise Exited(2) from None

    def command_output(self, script: str) -> str:
        buf = Out("buffer")
        fds = dict(self.fds)
        fds[1] = buf
        sub = self.fork(fds)
        try:
            sub.source(script)
            rc = sub.rc
        except Exited as e:
            rc = e.code & 255
        self.now = sub.now
        self.cmdsub_rc = rc
        self.rc = rc
        text = "".join(buf.buf)
        while text.endswith("\n"):
            text = text[:-1]
        return text

    def math(self, expr: str) -> int:
        self.deeper()
        try:
            text = self.join_word(self.inner(expr, True))
            return MathEval(self, text).run()
        except MathErr as e:
            self.complain(str(e))
            raise Exited(2) from None
        finally:
            self.depth -= 1

    # -- redirections ---------------------------------------------------------------------------------
    def redirects(self, items: Sequence[Redirect]) -> bool:
        for r in items:
            target = self.join_word(r.target)
            if r.op == ">&" or r.op == "<&":
                if target == "-":
                    if r.fd in self.fds:
                        del self.fds[r.fd]
                    continue
                numeric = DIGITS.fullmatch(target) is not None
                if numeric and int(target) in self.fds:
                    self.fds[r.fd] = self.fds[int(target)]
                    continue
                self.complain(target + (": bad file descriptor" if numeric else ": bad fd number"))
                return False
            where = self.path(target)
            entry = self.m.fs.get(where)
            if r.op == "<":
                if entry is None:
                    self.complain("can't open " + target + ": No such file or directory")
                    return False
                if where == "/dev/stdin":
                    self.fds[r.fd] = self.reader()
                else:
                    self.fds[r.fd] = In(entry.data if entry.data is not None else "")
                continue
            out = self.writer(where, target, r.op == ">>" or r.op == "<>")
            if out is None:
                return False
            if r.op == "<>":
                now_there = self.m.fs.get(where)
                self.fds[r.fd] = In(now_there.data if now_there is not None and now_there.data is not None else "")
            else:
                self.fds[r.fd] = out
        return True

    def writer(self, where: str, shown: str, append: bool) -> Out | None:
        if where == "/dev/stdout" or where == "/dev/stderr":
            f = self.fds.get(1 if where == "/dev/stdout" else 2)
            return f if isinstance(f, Out) else Out("null")
        entry = self.m.fs.get(where)
        if entry is not None and entry.kind == "dev":
            return Out("null")
        if entry is not None and entry.kind == "dir":
            self.complain("can't create " + shown + ": Is a directory")
            return None
        parent_path = where[: where.rfind("/")] or "/"
        parent = self.m.fs.get(parent_path)
        if parent is None or parent.kind != "dir":
            self.complain("can't create " + shown + ": No such file or directory")
            return None
        if entry is None:
            self.m.fs[where] = Entry("file", "")
        elif not append:
            entry.data = ""
        return Out("file", where)

    # -- builtins ----------------------------------------------------------------------------------------
    def fatal(self, text: str) -> NoReturn:
        """An error in a special builtin: ash's message, and the shell exits with 2."""
        self.complain(text)
        raise Exited(2)

    def special(self, name: str, args: list[str]) -> int:
        if name == ":":
            return 0
        if name == "exit":
            if not args:
                raise Exited(self.rc)
            if re.fullmatch(r"-?[0-9]+", args[0]) is None:
                self.fatal("exit: Illegal number: " + args[0])
            raise Exited(int(args[0]) & 255)
        if name == "break" or name == "continue":
            count = 1
            if args:
                if DIGITS.fullmatch(args[0]) is None or int(args[0]) == 0:
                    self.fatal(name + ": Illegal number: " + args[0])
                count = int(args[0])
            if self.in_loops == 0:
                return 0
            raise LoopJump(min(count, self.in_loops), name == "continue")
        if name == "eval":
            self.deeper()
            try:
                self.rc = 0
                self.source(" ".join(args))
                return self.rc
            finally:
                self.depth -= 1
        if name == "exec":
            return self.exec_builtin(args)
        if name == "export":
            for a in args:
                if a == "-p":
                    continue
                key, has_value, value = a.partition("=")
                if NAME.fullmatch(key) is None:
                    self.fatal("export: " + a + ": bad variable name")
                if has_value:
                    self.setvar(key, value)
                self.exp.add(key)
            return 0
        if name == "unset":
            for a in args:
                if a == "-v" or a == "-f":
                    continue
                if NAME.fullmatch(a) is None:
                    self.fatal("unset: " + a + ": bad variable name")
                self.vars.pop(a, None)
                self.exp.discard(a)
            return 0
        if name == "shift":
            count = 1
            if args:
                if DIGITS.fullmatch(args[0]) is None:
                    self.fatal("shift: Illegal number: " + args[0])
                count = int(args[0])
            if count > len(self.argv):
                self.fatal("shift: can't shift that many")
            self.argv = self.argv[count:]
            return 0
        if name == "set":
            return self.set_builtin(args)
        return self.trap_builtin(args)

    def set_builtin(self, args: list[str]) -> int:
        by_name = ("errexit", "nounset", "pipefail")
        quiet = ("xtrace", "verbose", "noglob", "allexport", "noclobber", "noexec", "notify", "monitor", "vi", "emacs",
                 "ignoreeof", "nolog", "debug")  # fmt: skip
        k = 0
        while k < len(args):
            a = args[k]
            if a == "--":
                self.argv = args[k + 1 :]
                return 0
            if len(a) < 2 or a[0] not in "-+":
                self.argv = args[k:]
                return 0
            for ch in a[1:]:
                flag = ""
                if ch == "o":
                    k += 1
                    if k >= len(args):
                        return 0
                    if args[k] in by_name:
                        flag = args[k]
                    elif args[k] not in quiet:
                        self.fatal("set: illegal option -o " + args[k])
                elif ch == "e":
                    flag = "errexit"
                elif ch == "u":
                    flag = "nounset"
                elif ch not in "xvfaCnmbh":
                    self.fatal("set: illegal option " + a[0] + ch)
                if flag:
                    if a[0] == "-":
                        self.flags.add(flag)
                    else:
                        self.flags.discard(flag)
            k += 1
        return 0

    def trap_builtin(self, args: list[str]) -> int:
        if len(args) == 0 or (len(args) == 1 and args[0] == "-p"):
            return 0
        action: str | None
        if args[0] == "-":
            action, sigs = None, args[1:]
        elif DIGITS.fullmatch(args[0]) is not None or len(args) == 1:
            action, sigs = None, args
        else:
            action, sigs = args[0], args[1:]
        for spec in sigs:
            sig = signal_of(spec)
            if sig == "":
                self.fatal("trap: " + spec + ": bad trap")
            if action is None or action == "-":
                self.traps.pop(sig, None)
            else:
                self.traps[sig] = action
        return 0

    def exec_builtin(self, args: list[str]) -> int:
        called = args[0]
        applet = applet_for(called)
        is_init = self.m.init_traps is self.traps
        if applet == "":
            self.complain("exec: " + called + ": not found")
            raise Exited(127)
        if applet == "sh" or applet == "ash":
            self.deeper()
            code = self.shell(called, args[1:], self.exported_env(), is_init)
        else:
            if is_init:
                self.m.init_traps = None
            code = Tools(self, self.exported_env(), "").call(applet, called, args[1:])
        raise Exited(code)

    def regular(self, name: str, args: list[str]) -> int:
        if name == "cd":
            dest = args[0] if args else self.vars.get("HOME", "/root")
            where = self.path(dest)
            entry = self.m.fs.get(where)
            if entry is None:
                self.complain("cd: can't cd to " + dest + ": No such file or directory")
                return 2
            if entry.kind != "dir":
                self.complain("cd: can't cd to " + dest + ": Not a directory")
                return 2
            self.cwd = where
            return 0
        if name == "read":
            return self.read_builtin(args)
        if name == "wait":
            return self.wait_builtin(args)
        return Tools(self, self.exported_env(), self.name).call(name, name, args)

    def read_builtin(self, args: list[str]) -> int:
        raw = False
        names: list[str] = []
        skip = False
        for a in args:
            if skip:
                skip = False
            elif a == "-r":
                raw = True
            elif a in ("-p", "-t", "-n", "-u", "-d"):
                skip = True
            else:
                names.append(a)
        if not names:
            names = ["REPLY"]
        self.m.step()
        got = self.reader().line()
        rc = 0 if got is not None and got.endswith("\n") else 1
        text = "" if got is None else got
        if text.endswith("\n"):
            text = text[:-1]
        if not raw:
            text = re.sub(r"\\(.)", r"\1", text)
        ifs = self.vars.get("IFS", " \t\n")
        for var, value in zip(names, read_split(text, ifs, len(names))):
            if NAME.fullmatch(var) is None:
                self.complain("read: '" + var + "': not a valid identifier")
                return 2
            self.setvar(var, value)
        return rc

    def wait_builtin(self, args: list[str]) -> int:
        rc = 0
        for pid in list(args) if args else list(self.bg):
            job = self.bg.pop(pid, None)
            if job is None:
                self.complain("wait: pid " + pid + " is not a child of this shell")
                rc = 127
                continue
            if job[0] == FOREVER:
                raise Blocked
            if job[0] > self.now:
                self.now = job[0]
            rc = job[1]
        return rc if args else 0


# == applets ===================================================================================
ESCAPES = {"a": "\a", "b": "\b", "e": "\x1b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\"}


def one_escape(text: str, i: int, echo_style: bool) -> tuple[str, int, bool]:
    """The escape at the backslash ``text[i]``: (text, next index, \\c seen). echo -e/%b write
    octal as ``\\0NNN``, printf's format as ``\\NNN``."""
    c = text[i + 1] if i + 1 < len(text) else ""
    if c == "c":
        return "", i + 2, True
    if c != "" and c in ESCAPES:
        return ESCAPES[c], i + 2, False
    start = i + 1
    if echo_style:
        if c != "0":
            return "\\", i + 1, False
        start = i + 2
    m = re.match(r"[0-7]{1,3}", text[start:])
    if m is None:
        if not echo_style:
            return "\\", i + 1, False
        return chr(0), start, False
    return chr(int(m.group(0), 8)), start + len(m.group(0)), False


def expand_escapes(text: str) -> tuple[str, bool]:
    out = ""
    i = 0
    while i < len(text):
        if text[i] == "\\":
            piece, i, stop = one_escape(text, i, True)
            if stop:
                return out, True
            out += piece
        else:
            out += text[i]
            i += 1
    return out, False


def int_arg(text: str | None) -> tuple[int, bool]:
    if text is None or text == "":
        return 0, True
    if len(text) >= 2 and text[0] in "'\"":
        return ord(text[1]), True
    m = re.fullmatch(r"\s*([-+]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)\s*", text)
    if m is None:
        lead = re.match(r"\s*[-+]?[0-9]+", text)
        return (int(lead.group(0)) if lead is not None else 0), False
    digits = m.group(2)
    if digits[:2] in ("0x", "0X"):
        n = int(digits[2:], 16)
    elif len(digits) > 1 and digits[0] == "0":
        n = int(digits, 8)
    else:
        n = int(digits)
    return signed64(-n if m.group(1) == "-" else n), True


def float_arg(text: str | None) -> tuple[float, bool]:
    if text is None or text == "":
        return 0.0, True
    try:
        v = float(text)
    except ValueError:
        return 0.0, False
    if math.isinf(v) or math.isnan(v):
        return 0.0, False
    return v, True


PRINTF_SPEC = re.compile(r"%([-+ 0#]*)([0-9]*)(?:\.([0-9]*))?([sbcdiouxXeEfgG%])")


class Tools:
    """busybox applets, run for a process (``who`` names the shell when its builtin runs one)."""

    def __init__(self, proc: Proc, env: dict[str, str], who: str) -> None:
        self.p = proc
        self.env = env
        self.who = who

    def say(self, text: str) -> None:
        self.p.emit(1, text)

    def warn(self, applet: str, text: str) -> None:
        self.p.emit(2, (self.who if self.who else applet) + ": " + text + "\n")

    def call(self, applet: str, called: str, args: list[str]) -> int:
        if applet == "true":
            return 0
        if applet == "false":
            return 1
        if applet == "sleep":
            secs = sleep_seconds(args)
            if secs == FOREVER:
                raise Blocked
            self.p.now += secs
            return 0
        if applet == "echo":
            return self.echo(args)
        if applet == "printf":
            return self.printf(args)
        if applet in ("test", "[", "[["):
            return self.test(called, args)
        if applet == "pwd":
            self.say(self.p.cwd + "\n")
            return 0
        if applet == "hostname":
            for a in args:
                if not a.startswith("-"):
                    self.warn("hostname", "sethostname: Operation not permitted")
                    return 1
            self.say(self.p.m.hostname + "\n")
            return 0
        if applet == "cat":
            return self.cat(args)
        if applet == "ls":
            return self.ls(args)
        if applet == "touch":
            return self.touch(args)
        if applet == "mkdir":
            return self.mkdir(args)
        if applet == "rm":
            return self.rm(args)
        if applet == "seq":
            return self.seq(args)
        if applet == "env":
            return self.env_applet(args)
        return self.printenv(args)

    def echo(self, args: list[str]) -> int:
        end = "\n"
        interpret_escapes = False
        k = 0
        while k < len(args) and re.fullmatch(r"-[neE]+", args[k]) is not None:
            for ch in args[k][1:]:
                if ch == "n":
                    end = ""
                elif ch == "e":
                    interpret_escapes = True
                else:
                    interpret_escapes = False
            k += 1
        text = " ".join(args[k:])
        if interpret_escapes:
            text, stop = expand_escapes(text)
            if stop:
                end = ""
        self.say(text + end)
        return 0

    def printf(self, args: list[str]) -> int:
        if not args:
            self.warn("printf", "usage: printf FORMAT [ARGUMENT...]")
            return 1
        fmt = args[0]
        values = args[1:]
        rc = 0
        out = ""
        while True:
            taken = 0
            i = 0
            while i < len(fmt):
                ch = fmt[i]
                if ch == "\\":
                    piece, i, stop = one_escape(fmt, i, False)
                    if stop:
                        self.say(out)
                        return rc
                    out += piece
                    continue
                if ch != "%":
                    out += ch
                    i += 1
                    continue
                m = PRINTF_SPEC.match(fmt, i)
                if m is None:
                    self.warn("printf", fmt[i : i + 2] + ": invalid format")
                    self.say(out)
                    return 1
                flags, width, prec, conv = m.group(1), m.group(2), m.group(3), m.group(4)
                i = m.end()
                if len(width) > 4 or (prec is not None and len(prec) > 4):
                    raise OverLimit
                if conv == "%":
                    out += "%"
                    continue
                value = values[taken] if taken < len(values) else None
                taken += 1
                if conv == "o":
                    flags = flags.replace("#", "")
                spec = "%" + flags + width + ("." + prec if prec is not None else "")
                if conv == "s":
                    out += (spec + "s") % (value if value is not None else "")
                elif conv == "b":
                    text, stop = expand_escapes(value if value is not None else "")
                    if stop:
                        self.say(out + text)
                        return rc
                    out += (spec + "s") % text
                elif conv == "c":
                    out += (spec + "s") % (value if value is not None else "")[:1]
                elif conv in "diouxX":
                    n, good = int_arg(value)
                    if not good:
                        self.warn("printf", "invalid number '" + str(value) + "'")
                        rc = 1
                    if conv in "ouxX" and n < 0:
                        n &= MASK
                    out += (spec + ("d" if conv in "diu" else conv)) % n
                else:
                    f, good = float_arg(value)
                    if not good:
                        self.warn("printf", "invalid number '" + str(value) + "'")
                        rc = 1
                    out += (spec + conv) % f
            if taken == 0 or taken >= len(values):
                break
            values = values[taken:]
        self.say(out)
        return rc

    def test(self, called: str, args: list[str]) -> int:
        base = called[called.rfind("/") + 1 :]
        if base == "[" or base == "[[":
            closer = "]" if base == "[" else "]]"
            if len(args) == 0 or args[-1] != closer:
                self.warn(base, "missing " + closer)
                return 2
            args = args[:-1]
        return TestCmd(self, base, args).result()

    def cat(self, args: list[str]) -> int:
        files = [a for a in args if a == "-" or not a.startswith("-")]
        if not files:
            files = ["-"]
        rc = 0
        for f in files:
            if f == "-":
                self.say(self.p.reader().rest())
                continue
            where = self.p.path(f)
            entry = self.p.m.fs.get(where)
            if entry is None:
                self.warn("cat", "can't open '" + f + "': No such file or directory")
                rc = 1
            elif entry.kind == "dir":
                self.warn("cat", "read error: Is a directory")
                rc = 1
            elif where == "/dev/stdin":
                self.say(self.p.reader().rest())
            elif entry.data is not None:
                self.say(entry.data)
            else:
                self.say("")
        return rc

    def ls(self, args: list[str]) -> int:
        operands = [a for a in args if not a.startswith("-")]
        if not operands:
            operands = ["."]
        rc = 0
        for a in operands:
            where = self.p.path(a)
            entry = self.p.m.fs.get(where)
            if entry is None:
                self.warn("ls", a + ": No such file or directory")
                rc = 1
                continue
            if entry.kind != "dir":
                self.say(a + "\n")
                continue
            base = where if where.endswith("/") else where + "/"
            names: set[str] = set()
            for p in self.p.m.fs:
                if p != where and p.startswith(base):
                    names.add(p[len(base) :].split("/")[0])
            self.say("".join(n + "\n" for n in sorted(names)))
        return rc

    def touch(self, args: list[str]) -> int:
        rc = 0
        for a in args:
            if a.startswith("-"):
                continue
            where = self.p.path(a)
            if where in self.p.m.fs:
                continue
            parent = self.p.m.fs.get(where[: where.rfind("/")] or "/")
            if parent is None or parent.kind != "dir":
                self.warn("touch", a + ": No such file or directory")
                rc = 1
            else:
                self.p.m.fs[where] = Entry("file", "")
        return rc

    def mkdir(self, args: list[str]) -> int:
        with_parents = False
        for a in args:
            if a.startswith("-") and "p" in a:
                with_parents = True
        rc = 0
        fs = self.p.m.fs
        skip_next = False
        for a in args:
            if skip_next:
                skip_next = False
                continue
            if a.startswith("-"):
                skip_next = a.endswith("m")
                continue
            where = self.p.path(a)
            if where in fs:
                if with_parents and fs[where].kind == "dir":
                    continue
                self.warn("mkdir", "can't create directory '" + a + "': File exists")
                rc = 1
                continue
            parent = where[: where.rfind("/")] or "/"
            if with_parents and parent not in fs:
                missing: list[str] = []
                up = parent
                while up not in fs:
                    missing.append(up)
                    up = up[: up.rfind("/")] or "/"
                if fs[up].kind != "dir":
                    self.warn("mkdir", "can't create directory '" + a + "': Not a directory")
                    rc = 1
                    continue
                for d in reversed(missing):
                    fs[d] = Entry("dir")
            if parent not in fs or fs[parent].kind != "dir":
                self.warn("mkdir", "can't create directory '" + a + "': No such file or directory")
                rc = 1
                continue
            fs[where] = Entry("dir")
        return rc

    def rm(self, args: list[str]) -> int:
        opts = ""
        for a in args:
            if a.startswith("-") and len(a) > 1:
                opts += a[1:]
        force = "f" in opts
        deep = "r" in opts or "R" in opts
        rc = 0
        fs = self.p.m.fs
        for a in args:
            if a.startswith("-") and a != "-":
                continue
            where = self.p.path(a)
            entry = fs.get(where)
            if entry is None:
                if not force:
                    self.warn("rm", "can't remove '" + a + "': No such file or directory")
                    rc = 1
                continue
            if entry.kind == "dir":
                if not deep:
                    self.warn("rm", "'" + a + "' is a directory")
                    rc = 1
                    continue
                base = where if where.endswith("/") else where + "/"
                for p in list(fs):
                    if p.startswith(base):
                        del fs[p]
            del fs[where]
        return rc

    def seq(self, args: list[str]) -> int:
        if len(args) < 1 or len(args) > 3:
            self.warn("seq", "usage: seq [-w] [-s SEP] [FIRST [INC]] LAST")
            return 1
        nums: list[int] = []
        for a in args:
            if re.fullmatch(r"\s*[-+]?[0-9]+\s*", a) is None:
                self.warn("seq", "invalid number '" + a + "'")
                return 1
            nums.append(int(a))
        first, step, last = 1, 1, nums[-1]
        if len(nums) >= 2:
            first = nums[0]
        if len(nums) == 3:
            step = nums[1]
        if step == 0:
            if first <= last:
                raise OverLimit
            return 0
        count = (last - first) // step + 1
        if count < 0:
            count = 0
        self.p.m.step(count)
        self.say("".join(str(first + k * step) + "\n" for k in range(count)))
        return 0

    def env_applet(self, args: list[str]) -> int:
        env = dict(self.env)
        k = 0
        while k < len(args) and args[k].startswith("-") and args[k] != "-":
            if args[k] == "-i" or args[k] == "--ignore-environment":
                env = {}
            elif args[k] == "-u" and k + 1 < len(args):
                k += 1
                env.pop(args[k], None)
            k += 1
        while k < len(args) and "=" in args[k]:
            key, _, value = args[k].partition("=")
            env[key] = value
            k += 1
        if k == len(args):
            self.say("".join(key + "=" + value + "\n" for key, value in env.items()))
            return 0
        applet = applet_for(args[k])
        if applet == "":
            self.warn("env", "can't execute '" + args[k] + "': No such file or directory")
            return 127
        return self.p.execute(applet, args[k], args[k + 1 :], env)

    def printenv(self, args: list[str]) -> int:
        if not args:
            self.say("".join(key + "=" + value + "\n" for key, value in self.env.items()))
            return 0
        rc = 0
        for key in args:
            if key in self.env:
                self.say(self.env[key] + "\n")
            else:
                rc = 1
        return rc


UNARY_TESTS = ("-r", "-w", "-x", "-e", "-f", "-d", "-c", "-b", "-p", "-u", "-g", "-k", "-s", "-t", "-z", "-n", "-h",
               "-L", "-O", "-G", "-S")  # fmt: skip
BINARY_TESTS = ("=", "==", "!=", "<", ">", "-eq", "-ne", "-ge", "-gt", "-le", "-lt", "-nt", "-ot", "-ef")


class TestCmd:
    """busybox ``test``: POSIX's cases by argument count, then -o / -a / ! / primaries."""

    def __init__(self, tools: Tools, name: str, args: list[str]) -> None:
        self.tools = tools
        self.name = name
        self.words = args
        self.at = 0

    def bad(self, text: str) -> NoReturn:
        self.tools.warn(self.name, text)
        raise TestErr(text)

    def result(self) -> int:
        try:
            return self.evaluate()
        except TestErr:
            return 2

    def evaluate(self) -> int:
        words = self.words
        flip = 0
        while True:
            if len(words) == 0:
                return 1
            if len(words) == 1:
                return (1 if words[0] == "" else 0) ^ flip
            if len(words) == 3 and words[1] in BINARY_TESTS:
                self.words = words
                self.at = 0
                return (0 if self.binary() else 1) ^ flip
            if words[0] == "!":
                words = words[1:]
                flip ^= 1
                continue
            break
        self.words = words
        self.at = 0
        truth = self.either()
        if self.at < len(self.words):
            self.bad(self.words[self.at] + ": unknown operand")
        return (0 if truth else 1) ^ flip

    def word(self, ahead: int = 0) -> str | None:
        k = self.at + ahead
        return self.words[k] if k < len(self.words) else None

    def either(self) -> bool:
        v = self.both()
        while self.word() == "-o":
            self.at += 1
            w = self.both()
            v = w or v
        return v

    def both(self) -> bool:
        v = self.negation()
        while self.word() == "-a":
            self.at += 1
            w = self.negation()
            v = w and v
        return v

    def negation(self) -> bool:
        if self.word() == "!":
            self.at += 1
            return not self.negation()
        return self.primary()

    def primary(self) -> bool:
        w = self.word()
        if w is None:
            self.bad("argument expected")
        if w == "(":
            self.at += 1
            v = self.either()
            if self.word() != ")":
                self.bad("closing paren expected")
            self.at += 1
            return v
        nxt = self.word(1)
        if nxt is not None and nxt in BINARY_TESTS and self.word(2) is not None:
            return self.binary()
        if w in UNARY_TESTS:
            if nxt is None:
                self.at += 1
                return True
            self.at += 2
            return self.file_or_string(w, nxt)
        if nxt is not None and nxt in BINARY_TESTS:
            self.bad(nxt + ": argument expected")
        self.at += 1
        return w != ""

    def number(self, text: str) -> int:
        if re.fullmatch(r"\s*[-+]?[0-9]+\s*", text) is None:
            self.bad(text + ": bad number" if text != "" else "bad number")
        v = int(text)
        if v >= 1 << 63 or v < -(1 << 63):
            self.bad(text + ": out of range")
        return v

    def binary(self) -> bool:
        a, op, b = self.words[self.at], self.words[self.at + 1], self.words[self.at + 2]
        self.at += 3
        if op == "=" or op == "==":
            return a == b
        if op == "!=":
            return a != b
        if op == "<":
            return a < b
        if op == ">":
            return a > b
        if op == "-nt" or op == "-ot":
            return False
        if op == "-ef":
            pa, pb = self.tools.p.path(a), self.tools.p.path(b)
            return pa == pb and pa in self.tools.p.m.fs
        x, y = self.number(a), self.number(b)
        if op == "-eq":
            return x == y
        if op == "-ne":
            return x != y
        if op == "-lt":
            return x < y
        if op == "-le":
            return x <= y
        if op == "-gt":
            return x > y
        return x >= y

    def file_or_string(self, op: str, arg: str) -> bool:
        if op == "-z":
            return arg == ""
        if op == "-n":
            return arg != ""
        if op == "-t":
            self.number(arg)
            return False
        if arg == "":
            return False
        where = self.tools.p.path(arg)
        entry = self.tools.p.m.fs.get(where)
        if entry is None:
            return False
        if op == "-f":
            return entry.kind == "file"
        if op == "-d":
            return entry.kind == "dir"
        if op == "-c":
            return entry.kind == "dev"
        if op == "-s":
            return not (entry.kind == "file" and entry.data == "")
        if op == "-x":
            return entry.kind == "dir" or (entry.kind == "file" and applet_for(where) != "")
        return op in ("-e", "-r", "-w", "-O", "-G")


# == the contract's command lines ==================================================================
def sleep_seconds(args: Sequence[str]) -> float:
    """busybox sleep as the contract has it: the first argument (s/m/h/d suffix); ``infinity``;
    anything else (nothing, not a number, negative) 0 s."""
    if len(args) == 0:
        return 0.0
    a = args[0]
    if a == "infinity":
        return FOREVER
    mult = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}.get(a[-1:], 0.0)
    try:
        secs = float(a[:-1]) * mult if mult else float(a)
    except ValueError:
        return 0.0
    if secs != secs or secs < 0:
        return 0.0
    return secs


def _run_as_pid1(argv: list[str], env: dict[str, str], hostname: str, via_shell: bool) -> Program:
    m = Machine(hostname, _fresh_files(hostname))
    launcher = Proc(m, env, "sh", [], {0: In(), 1: Out("log"), 2: Out("log")}, 0.0, 0, "/")
    m.init_traps = launcher.traps if via_shell else None
    try:
        if via_shell:
            code = launcher.shell(argv[0], argv[1:], dict(env), True)
        elif argv[0] == "exit":
            try:
                launcher.special("exit", argv[1:])
                code = 0
            except Exited as e:
                code = e.code
        else:
            code = launcher.execute(applet_for(argv[0]), argv[0], argv[1:], dict(env))
    except (Blocked, OverLimit):
        return Program(FOREVER, 0, m.lines(), ignores_sigterm=not term_stops(m.init_traps))
    return Program(launcher.now, code & 255, m.lines(), ignores_sigterm=not term_stops(m.init_traps))


def interpret(
    image: str,
    command: list[str] | None,
    args: list[str] | None,
    *,
    env: Mapping[str, str] | None = None,
    hostname: str = "",
) -> Program:
    """What a container with this image, command and args does once started.

    ``env``: the kubelet's variables for it (:func:`container_env`; the ``kubernetes`` service's
    when not given) — ``$(VAR)`` in command and args is expanded with them first; ``hostname``:
    its pod's host name.
    """
    kube_env = dict(KUBERNETES_ENV) if env is None else dict(env)
    argv = [kubelet_expand(str(a), kube_env) for a in list(command or []) + list(args or [])]
    if not argv:
        if _is_shell_image(image):
            return Program(0.0, 0)  # the image's CMD is a shell with no tty: it exits at once
        return Program(FOREVER, 0)  # a server image: runs until stopped, stops on SIGTERM
    process_env: dict[str, str] = {"PATH": IMAGE_PATH, "HOSTNAME": hostname}
    for k, v in kube_env.items():
        process_env[k] = v
    if "HOME" not in process_env:
        process_env["HOME"] = "/root"
    if argv[0][argv[0].rfind("/") + 1 :] in SHELL_NAMES:
        return _run_as_pid1(argv, process_env, hostname, True)
    if argv[0] == "exit" or applet_for(argv[0]) != "":
        return _run_as_pid1(argv, process_env, hostname, False)
    if _is_shell_image(image):
        return Program(0.0, 127, ("exec " + argv[0] + ": not found",))
    return Program(FOREVER, 0)  # an image's own program (nginx, pause, ...)


def probe_succeeds(
    probe: dict | None,  # type: ignore[type-arg]
    *,
    env: Mapping[str, str] | None = None,
    hostname: str = "",
) -> bool:
    """Whether a readiness/liveness/startup probe passes once its initial delay is over: an exec
    probe whose command (run as in a busybox container, with the container's variables) ends
    with 0; any httpGet / tcpSocket / grpc probe against a running container."""
    if not probe:
        return True
    exec_ = probe.get("exec")
    if exec_ and exec_.get("command"):
        prog = interpret("busybox", list(exec_["command"]), None, env=env, hostname=hostname)
        return prog.runs_s != FOREVER and prog.exit_code == 0
    return True
