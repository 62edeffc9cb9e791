"""What a pod's containers do, worked out before the pod reaches kwok: :func:`stamp`.

The runtime contract (``docs/runtime-contract.md``) says what a container does on a cluster
without real containers: which images pull, what its command does (a small, deterministic
model of busybox's ``sh`` and of the applets a test manifest uses), when a readiness probe
passes. The reference kubelet interprets that itself (``reference_impl/kubelet/runtime.py``). On
the real control plane kwok plays pods, and this module is kconform's second, independent
implementation of the same contract (it must not import ``reference_impl``; ``tests/upstream``
hold the two to agreement): :func:`interpret` reads a container's image, command, args and
environment like busybox would (busybox's ``ash``, ``shell/ash.c``, and its applets
``coreutils/*.c``, as far as the contract goes; the kubelet's ``$(VAR)`` expansion of
``third_party/forked/golang/expansion`` and its service variables of ``pkg/kubelet/envvars``; the
probe semantics of ``pkg/kubelet/prober``), and :func:`stamp` writes the result, per container,
into the pod template as the annotation ``kconform.io/runtime``::

    {"version": 1, "containers": {"main": {"runsMs": 3000, "exitCode": 1, "ignoresSigterm": true,
                                           "probeOk": true, "readyDelayMs": 0}}}

(``runsMs`` -1: runs until stopped). kwok's stages (``kconform/upstream/stages/pods.yaml``) read it
together with the pod's spec and status and play the states, reasons, exit codes, restarts,
back-offs and phases the contract lists.

Why a stamp, not stages that read the command themselves: a kwok Stage decides with jq
(selectors, delays) but writes with Go templates (sprig functions, no jq), and what a container
does has to be known in both. Interpreting a shell script — quoting, lists, loops, ``test``,
variables, ``sleep 1m`` — twice, once in jq and once in a Go template, would be two more
implementations of the interpreter, in languages made for neither; a mismatch between them
would leave a pod waiting for a transition its template never makes. Python does it once,
here. What the stages can decide robustly from the spec they decide from it: whether an image
pulls (its registry host ends in ``.invalid``, one regular expression), the restart policy, the
grace period. So ``kubectl set image`` to an unpullable image on a stamped template still fails
to pull, with no new stamp.

The shell is read in three steps, as ash does: one complete command at a time is parsed
(:class:`_Parser`: words with their quotes and expansions, then simple commands, pipelines,
and-or lists and the compound commands) and then run (:class:`_Shell`) in simulated time
against a simulated container: its environment, a few known files, the files the script itself
makes. Everything is bounded (``STEP_LIMIT``, ``TEXT_LIMIT``, ``DEPTH_LIMIT``): a script that goes
past a bound is taken to run until stopped, as a loop that never ends does (found when a loop
comes back to a state it was in before).

Leaves out: real processes and their output (echoed lines are kept in :class:`Program` for the
logs a kubelet would show, but kwok serves no logs), liveness and startup probes beyond their
initial delay (a startup probe's exec command is judged like a readiness probe's), a pod's
``valueFrom``/``envFrom`` variables and the service variables of services other than
``kubernetes``, the pod name of a pod made from a template (its ``HOSTNAME`` is empty when the
template is stamped), and what the contract leaves unspecified (see the document).
"""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn

FOREVER = math.inf
ANNOTATION = "kconform.io/runtime"
STAMP_VERSION = 1
# Images whose default command is a shell: without a command they exit at once (no tty), and
# a command they don't have fails like busybox's exec does (127).
SHELL_IMAGES = frozenset({"busybox", "alpine", "bash", "ubuntu", "debian"})
# argv[0] of a container (by name, any directory) that runs a script with -c
SHELLS = frozenset({"sh", "bash", "ash"})
# the programs the contract knows, in each of these directories (busybox installs its applets
# in /bin; alpine's are spread over all four: the contract takes every one of them anywhere)
APPLETS = frozenset(
    {"[", "[[", "ash", "cat", "echo", "env", "false", "hostname", "ls", "mkdir", "printenv", "printf", "pwd",
     "rm", "seq", "sh", "sleep", "test", "touch", "true"}
)  # fmt: skip
APPLET_DIRS = ("/bin", "/usr/bin", "/sbin", "/usr/sbin")
# ash's builtins; an error in a special one ends the shell (POSIX 2.8.1), in another one it does not
SPECIAL_BUILTINS = frozenset({":", "break", "continue", "eval", "exec", "exit", "export", "set", "shift", "trap", "unset"})
REGULAR_BUILTINS = frozenset({"[", "[[", "cd", "echo", "false", "printf", "pwd", "read", "test", "true", "wait"})
_SLEEP_UNITS_S = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
EXIT_NOT_FOUND = 127
EXIT_SYNTAX = 2

# Bounds on one program: commands run plus loop rounds; the characters of one word, variable,
# file or substitution; nesting of shells, substitutions, evals and compound commands; jobs; log lines
STEP_LIMIT = 10_000
TEXT_LIMIT = 16_384
DEPTH_LIMIT = 20
JOBS_LIMIT = 100  # background jobs of one shell not waited for
LOG_LINES_LIMIT = 1_000

# The container's environment: the image's PATH, the runtime's HOSTNAME and HOME, and what the
# kubelet adds for the ``kubernetes`` service (pkg/kubelet/envvars; 10.96.0.1 is the first
# address of the service range both backends use, 10.96.0.0/12)
PATH_VALUE = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
HOME = "/root"
KUBERNETES_SERVICE_HOST = "10.96.0.1"
SERVICE_ENV: Mapping[str, str] = {
    "KUBERNETES_SERVICE_HOST": KUBERNETES_SERVICE_HOST,
    "KUBERNETES_SERVICE_PORT": "443",
    "KUBERNETES_SERVICE_PORT_HTTPS": "443",
    "KUBERNETES_PORT": f"tcp://{KUBERNETES_SERVICE_HOST}:443",
    "KUBERNETES_PORT_443_TCP": f"tcp://{KUBERNETES_SERVICE_HOST}:443",
    "KUBERNETES_PORT_443_TCP_PROTO": "tcp",
    "KUBERNETES_PORT_443_TCP_PORT": "443",
    "KUBERNETES_PORT_443_TCP_ADDR": KUBERNETES_SERVICE_HOST,
}
# The files every container has: the image's directories, devices and /etc files (contents not
# known, but /etc/hostname's), the kubelet's /dev/termination-log, and every applet.
DIRECTORIES = ("/", "/bin", "/dev", "/etc", "/home", "/lib", "/proc", "/root", "/sbin", "/sys", "/tmp", "/usr",
               "/usr/bin", "/usr/sbin", "/var")  # fmt: skip
DEVICES = ("/dev/null", "/dev/zero", "/dev/random", "/dev/urandom", "/dev/stdin", "/dev/stdout", "/dev/stderr")
FILES = ("/etc/group", "/etc/hostname", "/etc/hosts", "/etc/passwd", "/etc/resolv.conf", "/dev/termination-log")

Manifest = dict[str, Any]


@dataclass(frozen=True)
class Program:
    """What a started container does: exit with ``exit_code`` after ``runs_s`` (inf: never)."""

    runs_s: float
    exit_code: int = 0
    output: tuple[str, ...] = ()
    ignores_sigterm: bool = False

    @property
    def forever(self) -> bool:
        return self.runs_s == FOREVER


@dataclass(frozen=True)
class ContainerRuntime:
    """One container's line in the stamp."""

    program: Program
    probe_ok: bool = True
    ready_delay_s: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "runsMs": -1 if self.program.forever else round(self.program.runs_s * 1000),
            "exitCode": self.program.exit_code,
            "ignoresSigterm": self.program.ignores_sigterm,
            "probeOk": self.probe_ok,
            "readyDelayMs": round(self.ready_delay_s * 1000),
        }


# == images ===================================================================================
def image_pullable(image: str) -> bool:
    """False when the image names a registry host ending in ``.invalid`` (RFC 2606: never resolves).

    The first path component is a registry host only when the name has a ``/`` and that
    component has a ``.`` or a ``:`` or is ``localhost`` (Docker's rule); ``invalid/x`` is a
    Docker Hub repository and pulls.
    """
    if "/" not in image:
        return True
    first = image.split("/", 1)[0]
    if "." not in first and ":" not in first and first != "localhost":
        return True
    return not first.split(":", 1)[0].endswith(".invalid")


def _image_name(image: str) -> str:
    """``busybox`` for ``docker.io/library/busybox:1.36@sha256:...``."""
    return image.rsplit("/", 1)[-1].split("@", 1)[0].split(":", 1)[0]


def is_shell_image(image: str) -> bool:
    return _image_name(image) in SHELL_IMAGES


# == the environment ==========================================================================
def expand_kubernetes(text: str, variables: Mapping[str, str]) -> str:
    """The kubelet's ``$(VAR)`` expansion of command, args and env values.

    As ``third_party/forked/golang/expansion``: ``$(NAME)`` becomes the variable's value when it
    is defined and stays as written when not; ``$$`` is one ``$``; any other ``$`` stays.
    """
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c != "$" or i + 1 >= n:
            out.append(c)
            i += 1
            continue
        nxt = text[i + 1]
        if nxt == "$":
            out.append("$")
            i += 2
        elif nxt == "(":
            close = text.find(")", i + 2)
            if close < 0:
                out.append("$(")
                i += 2
            else:
                name = text[i + 2 : close]
                out.append(variables.get(name, f"$({name})"))
                i = close + 1
        else:
            out.append("$" + nxt)
            i += 2
    return "".join(out)


def container_env(container: Mapping[str, Any]) -> dict[str, str]:
    """The variables the kubelet gives a container: the ``kubernetes`` service's, then ``env``.

    Each ``env`` value is expanded (``$(VAR)``) with the variables before it, as
    ``makeEnvironmentVariables`` does; ``valueFrom`` and ``envFrom`` are left out.
    """
    env = dict(SERVICE_ENV)
    for var in container.get("env") or []:
        if not isinstance(var, Mapping) or not var.get("name") or var.get("valueFrom"):
            continue
        env[str(var["name"])] = expand_kubernetes(str(var.get("value") or ""), env)
    return env


def pod_hostname(pod: Mapping[str, Any]) -> str:
    """A pod's host name: ``spec.hostname``, else its name cut to 63 characters (the kubelet's
    ``GeneratePodHostNameAndDomain``; an empty string when neither is known)."""
    spec = pod.get("spec") if isinstance(pod.get("spec"), Mapping) else {}
    meta = pod.get("metadata") if isinstance(pod.get("metadata"), Mapping) else {}
    name = str((spec or {}).get("hostname") or (meta or {}).get("name") or "")
    return name[:63].rstrip("-.") if len(name) > 63 else name


# == the shell: errors and limits ============================================================
class _Syntax(Exception):
    """A script that does not parse: ash prints ``syntax error: ...`` and exits with 2."""


class _ExitShell(Exception):
    """The shell (or subshell) ends with ``status``."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class _Forever(Exception):
    """This process blocks forever (``sleep infinity``, a loop back in a state it was in)."""


class _Limit(Exception):
    """A bound of the model was passed: the whole program is taken to run forever."""


class _Break(Exception):
    def __init__(self, levels: int, *, again: bool) -> None:
        super().__init__(levels)
        self.levels = levels
        self.again = again  # continue, not break


class _ArithError(Exception):
    """An arithmetic expansion that does not evaluate (the message ash prints)."""


# == the shell: words ========================================================================
@dataclass(frozen=True)
class _Lit:
    text: str
    quoted: bool


@dataclass(frozen=True)
class _Param:
    """``$name`` / ``${name<op><arg>}``; ``op`` is one of the operators below, or ``len``."""

    name: str
    op: str
    arg: str
    quoted: bool


@dataclass(frozen=True)
class _Sub:
    """``$(script)`` or a backquoted script."""

    script: str
    quoted: bool


@dataclass(frozen=True)
class _Arith:
    expr: str
    quoted: bool


@dataclass(frozen=True)
class _Tilde:
    """A leading ``~``: ``$HOME``."""


_Part = _Lit | _Param | _Sub | _Arith | _Tilde
_Word = tuple[_Part, ...]
_PARAM_OPS = (":-", ":=", ":+", ":?", "##", "%%", "-", "=", "+", "?", "#", "%")
_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DIGITS = re.compile(r"[0-9]+")
_PARAM_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|[0-9]+|[@*#?$!\-]")
_META = frozenset(" \t\n;&|()<>")
_KEYWORDS = frozenset({"if", "then", "elif", "else", "fi", "do", "done", "while", "until", "for", "case", "esac", "in",
                       "{", "}", "!"})  # fmt: skip
# a keyword that ends a compound list (the caller then checks it is the one it expects)
_CLOSERS = frozenset({"then", "elif", "else", "fi", "do", "done", "esac", "}"})
_OPERATORS = ("<<-", "&&", "||", ";;", ">>", "<&", ">&", "<>", ">|", "<<", ";", "&", "|", "(", ")", "<", ">")
_REDIRECTIONS = frozenset({"<", ">", ">>", "<&", ">&", "<>", ">|", "<<", "<<-"})
_UNTERMINATED = "unterminated quoted string"


def _scan_single(s: str, i: int) -> int:
    """The index of the ``'`` closing the quote whose text starts at ``i``."""
    end = s.find("'", i)
    if end < 0:
        raise _Syntax(_UNTERMINATED)
    return end


def _scan_backquote(s: str, i: int) -> int:
    while i < len(s):
        if s[i] == "\\":
            i += 2
        elif s[i] == "`":
            return i
        else:
            i += 1
    raise _Syntax(_UNTERMINATED)


def _scan_double(s: str, i: int) -> int:
    """The index of the ``"`` closing a double quote whose text starts at ``i``."""
    while i < len(s):
        c = s[i]
        if c == "\\":
            i += 2
        elif c == '"':
            return i
        elif c == "`":
            i = _scan_backquote(s, i + 1) + 1
        elif c == "$" and s[i + 1 : i + 2] in ("(", "{"):
            i = _scan_dollar(s, i)
        else:
            i += 1
    raise _Syntax(_UNTERMINATED)


def _scan_dollar(s: str, i: int) -> int:
    """The index after the ``$(...)``, ``$((...))`` or ``${...}`` starting at ``i``."""
    if s.startswith("${", i):
        return _scan_brace(s, i + 2) + 1
    if s.startswith("$((", i):
        end = _scan_arith(s, i + 3)
        if end is not None:
            return end + 2
    return _scan_paren(s, i + 2) + 1


def _scan_paren(s: str, i: int) -> int:
    """The index of the ``)`` closing a ``$(`` whose text starts at ``i`` (nested parens counted)."""
    depth = 0
    while i < len(s):
        c = s[i]
        if c == "\\":
            i += 2
            continue
        if c == "'":
            i = _scan_single(s, i + 1) + 1
            continue
        if c == '"':
            i = _scan_double(s, i + 1) + 1
            continue
        if c == "`":
            i = _scan_backquote(s, i + 1) + 1
            continue
        if c == "$" and s[i + 1 : i + 2] in ("(", "{"):
            i = _scan_dollar(s, i)
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            if depth == 0:
                return i
            depth -= 1
        i += 1
    raise _Syntax(_UNTERMINATED)


def _scan_arith(s: str, i: int) -> int | None:
    """The index of the ``))`` closing a ``$((`` whose text starts at ``i``; None when the parens
    do not close that way (then it is a command substitution starting with a subshell)."""
    depth = 0
    while i < len(s):
        c = s[i]
        if c == "\\":
            i += 2
            continue
        if c == "'":
            i = _scan_single(s, i + 1) + 1
            continue
        if c == '"':
            i = _scan_double(s, i + 1) + 1
            continue
        if c == "$" and s[i + 1 : i + 2] in ("(", "{"):
            i = _scan_dollar(s, i)
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            if depth == 0:
                return i if s[i + 1 : i + 2] == ")" else None
            depth -= 1
        i += 1
    return None


def _scan_brace(s: str, i: int) -> int:
    """The index of the ``}`` closing a ``${`` whose text starts at ``i``."""
    while i < len(s):
        c = s[i]
        if c == "\\":
            i += 2
        elif c == "'":
            i = _scan_single(s, i + 1) + 1
        elif c == '"':
            i = _scan_double(s, i + 1) + 1
        elif c == "`":
            i = _scan_backquote(s, i + 1) + 1
        elif c == "$" and s[i + 1 : i + 2] in ("(", "{"):
            i = _scan_dollar(s, i)
        elif c == "}":
            return i
        else:
            i += 1
    raise _Syntax(_UNTERMINATED)


def _unbackquote(text: str, quoted: bool) -> str:
    """A backquoted script: ``\\$``, ``\\```, ``\\\\`` (and ``\\"`` inside double quotes) lose their backslash."""
    keep = '$`\\"' if quoted else "$`\\"
    out: list[str] = []
    i = 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text) and text[i + 1] in keep:
            out.append(text[i + 1])
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def _param_part(body: str, quoted: bool) -> _Param:
    """``${body}`` as a part; anything the contract does not know is ash's "bad substitution"."""
    if body.startswith("#") and len(body) > 1 and _PARAM_NAME_RE.fullmatch(body[1:]):
        return _Param(body[1:], "len", "", quoted)
    m = _PARAM_NAME_RE.match(body)
    if m is None:
        raise _Syntax("bad substitution")
    name, rest = m.group(0), body[m.end() :]
    if not rest:
        return _Param(name, "", "", quoted)
    for op in _PARAM_OPS:
        if rest.startswith(op):
            return _Param(name, op, rest[len(op) :], quoted)
    raise _Syntax("bad substitution")


def _dollar_part(s: str, i: int, quoted: bool) -> tuple[_Part, int]:
    """The expansion starting with the ``$`` at ``i``, and the index after it."""
    if s.startswith("${", i):
        end = _scan_brace(s, i + 2)
        return _param_part(s[i + 2 : end], quoted), end + 1
    if s.startswith("$((", i):
        close = _scan_arith(s, i + 3)
        if close is not None:
            return _Arith(s[i + 3 : close], quoted), close + 2
    if s.startswith("$(", i):
        end = _scan_paren(s, i + 2)
        return _Sub(s[i + 2 : end], quoted), end + 1
    m = _PARAM_NAME_RE.match(s, i + 1)
    if m is not None:
        name = m.group(0)
        if name[0] in "0123456789":
            name = name[0]  # $10 is ${1}0
        return _Param(name, "", "", quoted), i + 1 + len(name)
    return _Lit("$", quoted), i + 1


def _double_quoted(s: str, i: int, end: int, parts: list[_Part]) -> None:
    """The parts of the double-quoted text ``s[i:end]``."""
    buf: list[str] = []

    def flush() -> None:
        if buf:
            parts.append(_Lit("".join(buf), True))
            buf.clear()

    while i < end:
        c = s[i]
        if c == "\\" and i + 1 < end and s[i + 1] in '$`"\\\n':
            if s[i + 1] != "\n":
                buf.append(s[i + 1])
            i += 2
        elif c == "$":
            part, j = _dollar_part(s, i, True)
            if isinstance(part, _Lit):
                buf.append(part.text)
            else:
                flush()
                parts.append(part)
            i = j
        elif c == "`":
            close = _scan_backquote(s, i + 1)
            flush()
            parts.append(_Sub(_unbackquote(s[i + 1 : close], True), True))
            i = close + 1
        else:
            buf.append(c)
            i += 1
    flush()


def _word_parts(s: str, i: int, *, stop: frozenset[str]) -> tuple[list[_Part], int]:
    """The parts of the word starting at ``i``, up to an unquoted character of ``stop``."""
    parts: list[_Part] = []
    buf: list[str] = []

    def flush() -> None:
        if buf:
            parts.append(_Lit("".join(buf), False))
            buf.clear()

    start = i
    while i < len(s):
        c = s[i]
        if c in stop:
            break
        if c == "\\":
            if i + 1 >= len(s):
                buf.append("\\")
                i += 1
            elif s[i + 1] == "\n":
                i += 2  # a line continuation
            else:
                flush()
                parts.append(_Lit(s[i + 1], True))
                i += 2
        elif c == "'":
            close = _scan_single(s, i + 1)
            flush()
            parts.append(_Lit(s[i + 1 : close], True))
            i = close + 1
        elif c == '"':
            close = _scan_double(s, i + 1)
            flush()
            if close == i + 1:
                parts.append(_Lit("", True))
            _double_quoted(s, i + 1, close, parts)
            i = close + 1
        elif c == "$":
            part, j = _dollar_part(s, i, False)
            if isinstance(part, _Lit):
                buf.append("$")
            else:
                flush()
                parts.append(part)
            i = j
        elif c == "`":
            close = _scan_backquote(s, i + 1)
            flush()
            parts.append(_Sub(_unbackquote(s[i + 1 : close], False), False))
            i = close + 1
        elif c == "~" and i == start:
            j = i + 1
            while j < len(s) and s[j] not in stop and s[j] != "/":
                j += 1
            login = s[i + 1 : j]
            if login in ("", "root"):
                flush()
                parts.append(_Tilde())
                i = j
            else:
                buf.append(c)
                i += 1
        else:
            buf.append(c)
            i += 1
    flush()
    return parts, i


def _text_parts(text: str, quoted: bool) -> list[_Part]:
    """The parts of a ``${name-word}`` word (or a pattern): all of ``text``, in the quoting of
    the expansion it is part of."""
    parts: list[_Part] = []
    if quoted:
        _double_quoted(text, 0, len(text), parts)
        return parts
    parts, _ = _word_parts(text, 0, stop=frozenset())
    return parts


# == the shell: commands =====================================================================
@dataclass(frozen=True)
class _Redir:
    fd: int
    op: str
    target: _Word


@dataclass(frozen=True)
class _Simple:
    assigns: tuple[tuple[str, _Word], ...]
    words: tuple[_Word, ...]
    redirs: tuple[_Redir, ...]


@dataclass(frozen=True)
class _Pipeline:
    commands: tuple[_Command, ...]
    negate: bool


@dataclass(frozen=True)
class _AndOr:
    first: _Pipeline
    rest: tuple[tuple[str, _Pipeline], ...]


@dataclass(frozen=True)
class _List:
    items: tuple[tuple[_AndOr, bool], ...]  # (and-or list, run in the background)


@dataclass(frozen=True)
class _If:
    clauses: tuple[tuple[_List, _List], ...]
    otherwise: _List | None


@dataclass(frozen=True)
class _Loop:
    condition: _List
    body: _List
    until: bool


@dataclass(frozen=True)
class _For:
    name: str
    words: tuple[_Word, ...] | None  # None: "$@"
    body: _List


@dataclass(frozen=True)
class _Case:
    word: _Word
    items: tuple[tuple[tuple[_Word, ...], _List | None], ...]


@dataclass(frozen=True)
class _Group:
    body: _List
    subshell: bool


@dataclass(frozen=True)
class _Compound:
    """A compound command with its redirections."""

    body: _If | _Loop | _For | _Case | _Group
    redirs: tuple[_Redir, ...]


_Command = _Simple | _Compound


@dataclass(frozen=True)
class _Token:
    kind: str  # word | op | nl | eof
    text: str  # an operator, or a word's source text
    word: _Word = ()
    fd: int = -1  # a redirection's explicit descriptor

    @property
    def keyword(self) -> str | None:
        """The reserved word this is, read in command position."""
        if self.kind == "word" and len(self.word) == 1:
            part = self.word[0]
            if isinstance(part, _Lit) and not part.quoted and part.text in _KEYWORDS:
                return part.text
        return None

    def describe(self) -> str:
        """How ash names a token in "unexpected ..." (tokname_array)."""
        if self.kind == "eof":
            return "end of file"
        if self.kind == "nl":
            return "newline"
        if self.kind == "op" and self.text in _REDIRECTIONS:
            return "redirection"
        if self.kind == "word":
            kw = self.keyword
            return f'"{kw}"' if kw else "word"
        return f'"{self.text}"'


class _Parser:
    """ash's grammar, one complete command at a time (``parsecmd``)."""

    def __init__(self, text: str) -> None:
        self.s = text
        self.i = 0
        self.depth = 0
        self._peeked: tuple[int, _Token, int] | None = None

    # -- tokens ---------------------------------------------------------------------------
    def _skip_blanks(self) -> int:
        s, i = self.s, self.i
        while i < len(s):
            if s[i] in " \t":
                i += 1
            elif s.startswith("\\\n", i):
                i += 2
            elif s[i] == "#":
                while i < len(s) and s[i] != "\n":
                    i += 1
            else:
                break
        return i

    def peek(self) -> _Token:
        if self._peeked is not None and self._peeked[0] == self.i:
            return self._peeked[1]
        i = self._skip_blanks()
        tok, end = self._lex(i)
        self._peeked = (self.i, tok, end)
        return tok

    def take(self) -> _Token:
        tok = self.peek()
        assert self._peeked is not None
        self.i = self._peeked[2]
        self._peeked = None
        return tok

    def _lex(self, i: int) -> tuple[_Token, int]:
        s = self.s
        if i >= len(s):
            return _Token("eof", ""), i
        if s[i] == "\n":
            return _Token("nl", "\n"), i + 1
        fd = -1
        j = i
        if s[i] in "0123456789" and s[i + 1 : i + 2] in ("<", ">"):
            fd, j = int(s[i]), i + 1  # one digit right before < or > names the descriptor
        for op in _OPERATORS:
            if s.startswith(op, j):
                if fd >= 0 or op in _REDIRECTIONS:
                    return _Token("op", op, fd=fd), j + len(op)
                return _Token("op", op), j + len(op)
        parts, end = _word_parts(s, i, stop=_META)
        return _Token("word", s[i:end], tuple(parts)), end

    def _skip_newlines(self) -> None:
        while self.peek().kind == "nl":
            self.take()

    def _unexpected(self, tok: _Token, expecting: str | None = None) -> NoReturn:
        msg = f"unexpected {tok.describe()}"
        if expecting is not None:
            msg += f' (expecting "{expecting}")'
        raise _Syntax(msg)

    def _expect(self, keyword: str) -> None:
        tok = self.peek()
        if tok.keyword != keyword:
            self._unexpected(tok, keyword)
        self.take()

    # -- grammar ---------------------------------------------------------------------------
    def complete_command(self) -> _List | None:
        """The next complete command (up to an unquoted newline), None at the end."""
        self._skip_newlines()
        if self.peek().kind == "eof":
            return None
        items: list[tuple[_AndOr, bool]] = []
        while True:
            node = self._and_or()
            tok = self.peek()
            if tok.kind == "op" and tok.text in (";", "&"):
                self.take()
                items.append((node, tok.text == "&"))
                if self.peek().kind in ("nl", "eof"):
                    break
                continue
            items.append((node, False))
            break
        tok = self.peek()
        if tok.kind == "nl":
            self.take()
        elif tok.kind != "eof":
            self._unexpected(tok)
        return _List(tuple(items))

    def _compound_list(self) -> _List:
        """A list inside a compound command: newlines separate, a closing word or ``)``/``;;`` ends it."""
        self._skip_newlines()
        items: list[tuple[_AndOr, bool]] = []
        while True:
            tok = self.peek()
            if tok.kind == "eof" or tok.keyword in _CLOSERS or (tok.kind == "op" and tok.text in (")", ";;")):
                break
            node = self._and_or()
            tok = self.peek()
            if tok.kind == "op" and tok.text in (";", "&"):
                self.take()
                items.append((node, tok.text == "&"))
            elif tok.kind == "nl":
                self.take()
                items.append((node, False))
            else:
                items.append((node, False))
                break
            self._skip_newlines()
        if not items and self.peek().kind != "eof":
            # as ash's list(): an empty list is an error at its first word, but at the end of
            # the script it is empty, and the caller says what it expected instead
            self._unexpected(self.peek())
        return _List(tuple(items))

    def _and_or(self) -> _AndOr:
        first = self._pipeline()
        rest: list[tuple[str, _Pipeline]] = []
        while True:
            tok = self.peek()
            if tok.kind == "op" and tok.text in ("&&", "||"):
                self.take()
                self._skip_newlines()
                rest.append((tok.text, self._pipeline()))
            else:
                return _AndOr(first, tuple(rest))

    def _pipeline(self) -> _Pipeline:
        negate = False
        while self.peek().keyword == "!":
            self.take()
            negate = not negate
        commands = [self._command()]
        while True:
            tok = self.peek()
            if tok.kind == "op" and tok.text == "|":
                self.take()
                self._skip_newlines()
                commands.append(self._command())
            else:
                return _Pipeline(tuple(commands), negate)

    def _command(self) -> _Command:
        tok = self.peek()
        kw = tok.keyword
        if kw in ("if", "while", "until", "for", "case", "{") or (tok.kind == "op" and tok.text == "("):
            self.depth += 1
            if self.depth > DEPTH_LIMIT:
                raise _Limit
            try:
                body = self._compound(tok)
            finally:
                self.depth -= 1
            return _Compound(body, tuple(self._redirections()))
        if kw is not None and kw != "{":
            self._unexpected(tok)
        return self._simple()

    def _redirections(self) -> list[_Redir]:
        out: list[_Redir] = []
        while True:
            tok = self.peek()
            if tok.kind == "op" and tok.text in _REDIRECTIONS:
                out.append(self._redirection())
            else:
                return out

    def _redirection(self) -> _Redir:
        tok = self.take()
        if tok.text in ("<<", "<<-"):
            raise _Syntax("here-documents are outside the runtime contract")
        target = self.peek()
        if target.kind != "word":
            self._unexpected(target)
        self.take()
        fd = tok.fd if tok.fd >= 0 else (0 if tok.text in ("<", "<&", "<>") else 1)
        return _Redir(fd, tok.text, target.word)

    def _simple(self) -> _Simple:
        assigns: list[tuple[str, _Word]] = []
        words: list[_Word] = []
        redirs: list[_Redir] = []
        while True:
            tok = self.peek()
            if tok.kind == "op" and tok.text in _REDIRECTIONS:
                redirs.append(self._redirection())
            elif tok.kind == "word":
                self.take()
                assign = None if words else _assignment(tok.word)
                if assign is not None:
                    assigns.append(assign)
                else:
                    words.append(tok.word)
            else:
                break
        if not (assigns or words or redirs):
            self._unexpected(self.peek())
        return _Simple(tuple(assigns), tuple(words), tuple(redirs))

    def _compound(self, tok: _Token) -> _If | _Loop | _For | _Case | _Group:
        self.take()
        kw = tok.keyword
        if kw == "if":
            clauses: list[tuple[_List, _List]] = []
            otherwise = None
            while True:
                cond = self._compound_list()
                self._expect("then")
                clauses.append((cond, self._compound_list()))
                nxt = self.peek().keyword
                if nxt == "elif":
                    self.take()
                    continue
                if nxt == "else":
                    self.take()
                    otherwise = self._compound_list()
                self._expect("fi")
                return _If(tuple(clauses), otherwise)
        if kw in ("while", "until"):
            cond = self._compound_list()
            self._expect("do")
            body = self._compound_list()
            self._expect("done")
            return _Loop(cond, body, kw == "until")
        if kw == "for":
            return self._for()
        if kw == "case":
            return self._case()
        if kw == "{":
            body = self._compound_list()
            self._expect("}")
            return _Group(body, False)
        body = self._compound_list()
        close = self.peek()
        if not (close.kind == "op" and close.text == ")"):
            self._unexpected(close, ")")
        self.take()
        return _Group(body, True)

    def _for(self) -> _For:
        tok = self.take()
        if tok.kind != "word" or not _NAME_RE.fullmatch(tok.text):
            raise _Syntax("bad for loop variable")
        words: tuple[_Word, ...] | None = None
        self._skip_newlines()
        if self.peek().keyword == "in":
            self.take()
            collected: list[_Word] = []
            while self.peek().kind == "word":
                collected.append(self.take().word)
            words = tuple(collected)
            sep = self.peek()
            if sep.kind == "nl" or (sep.kind == "op" and sep.text == ";"):
                self.take()
            else:
                self._unexpected(sep, "do")
        elif self.peek().kind == "op" and self.peek().text == ";":
            self.take()
        self._skip_newlines()
        self._expect("do")
        body = self._compound_list()
        self._expect("done")
        return _For(tok.text, words, body)

    def _case(self) -> _Case:
        tok = self.take()
        if tok.kind != "word":
            self._unexpected(tok)
        self._skip_newlines()
        self._expect("in")
        items: list[tuple[tuple[_Word, ...], _List | None]] = []
        while True:
            self._skip_newlines()
            nxt = self.peek()
            if nxt.keyword == "esac":
                self.take()
                return _Case(tok.word, tuple(items))
            if nxt.kind == "op" and nxt.text == "(":
                self.take()
            patterns: list[_Word] = []
            while True:
                pat = self.take()
                if pat.kind != "word":
                    self._unexpected(pat, ")")
                patterns.append(pat.word)
                sep = self.take()
                if sep.kind == "op" and sep.text == "|":
                    continue
                if sep.kind == "op" and sep.text == ")":
                    break
                self._unexpected(sep, ")")
            self._skip_newlines()
            after = self.peek()
            body = None
            if not (after.keyword == "esac" or (after.kind == "op" and after.text == ";;")):
                body = self._compound_list()
            items.append((tuple(patterns), body))
            after = self.peek()
            if after.kind == "op" and after.text == ";;":
                self.take()
            elif after.keyword != "esac":
                self._unexpected(after, "esac")


def _assignment(word: _Word) -> tuple[str, _Word] | None:
    """``NAME=value`` as (name, value word) when the word is an assignment."""
    if not word or not isinstance(word[0], _Lit) or word[0].quoted:
        return None
    m = re.match(r"([A-Za-z_][A-Za-z0-9_]*)=", word[0].text)
    if m is None:
        return None
    rest = word[0].text[m.end() :]
    value: list[_Part] = [_Lit(rest, False)] if rest else []
    return m.group(1), (*value, *word[1:])


# == the shell: the container it runs in =====================================================
@dataclass
class _Node:
    kind: str  # dir | file | dev
    text: str | None = None  # a file's contents; None: not known (a file of the image)


def _initial_files(hostname: str) -> dict[str, _Node]:
    files = {d: _Node("dir") for d in DIRECTORIES}
    for d in DEVICES:
        files[d] = _Node("dev")
    for f in FILES:
        files[f] = _Node("file")
    files["/etc/hostname"] = _Node("file", hostname + "\n")
    files["/dev/termination-log"] = _Node("file", "")
    for d in APPLET_DIRS:
        for name in APPLETS:
            files[f"{d}/{name}"] = _Node("file")
    return files


def _normpath(path: str) -> str:
    out: list[str] = []
    for piece in path.split("/"):
        if piece in ("", "."):
            continue
        if piece == "..":
            if out:
                out.pop()
        else:
            out.append(piece)
    return "/" + "/".join(out)


@dataclass
class _World:
    """What every process of one container shares: its files, its log, its bounds."""

    hostname: str
    files: dict[str, _Node]
    log: list[str] = field(default_factory=list)
    log_lines: int = 0
    steps: int = 0
    pids: int = 1  # PID 1 is the container's first process
    # the traps of the shell that is PID 1 (None once exec made an applet PID 1): whether the
    # container stops on SIGTERM is theirs
    pid1_traps: dict[str, str] | None = None

    def tick(self, n: int = 1) -> None:
        self.steps += n
        if self.steps > STEP_LIMIT:
            raise _Limit

    def write_log(self, text: str) -> None:
        if self.log_lines >= LOG_LINES_LIMIT:
            return
        self.log.append(text)
        self.log_lines += text.count("\n")

    def output(self) -> tuple[str, ...]:
        lines = "".join(self.log).split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        return tuple(lines[:LOG_LINES_LIMIT])


class _Sink:
    """Where a file descriptor writes."""

    def write(self, world: _World, text: str) -> None:
        raise NotImplementedError

    def key(self) -> str:
        return type(self).__name__


class _Log(_Sink):
    def write(self, world: _World, text: str) -> None:
        world.write_log(text)


class _Null(_Sink):
    def write(self, world: _World, text: str) -> None:
        return None


class _FileSink(_Sink):
    def __init__(self, path: str) -> None:
        self.path = path

    def write(self, world: _World, text: str) -> None:
        node = world.files.get(self.path)
        if node is None or node.kind != "file":
            return  # removed while open: the data goes nowhere a later reader can see
        if node.text is not None:
            if len(node.text) + len(text) > TEXT_LIMIT:
                raise _Limit
            node.text += text

    def key(self) -> str:
        return f"file:{self.path}"


class _Capture(_Sink):
    def __init__(self) -> None:
        self.chunks: list[str] = []
        self.size = 0

    def write(self, world: _World, text: str) -> None:
        self.size += len(text)
        if self.size > TEXT_LIMIT:
            raise _Limit
        self.chunks.append(text)

    def text(self) -> str:
        return "".join(self.chunks)

    def key(self) -> str:
        return f"capture:{id(self)}"


class _Input:
    """A read end: what is left of a file, a pipe or nothing."""

    def __init__(self, text: str = "") -> None:
        self.text = text
        self.pos = 0

    def read_all(self) -> str:
        out = self.text[self.pos :]
        self.pos = len(self.text)
        return out

    def read_line(self) -> str | None:
        if self.pos >= len(self.text):
            return None
        end = self.text.find("\n", self.pos)
        if end < 0:
            line, self.pos = self.text[self.pos :], len(self.text)
            return line
        line, self.pos = self.text[self.pos : end + 1], end + 1
        return line


# == the shell: arithmetic ====================================================================
_ARITH_TOKEN = re.compile(
    r"\s*(?:(?P<num>0[xX][0-9A-Za-z]*|[0-9][0-9A-Za-z]*)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|"
    r"(?P<op><<=|>>=|\*\*|<<|>>|<=|>=|==|!=|&&|\|\||\+=|-=|\*=|/=|%=|&=|\^=|\|=|[-+*/%<>&^|!~?:()=]))"
)
_ASSIGN_OPS = frozenset({"=", "+=", "-=", "*=", "/=", "%=", "<<=", ">>=", "&=", "^=", "|="})
_BINARY_LEVELS: tuple[tuple[str, ...], ...] = (
    ("||",), ("&&",), ("|",), ("^",), ("&",), ("==", "!="), ("<", "<=", ">", ">="), ("<<", ">>"), ("+", "-"),
    ("*", "/", "%"),
)  # fmt: skip


def _wrap64(n: int) -> int:
    n &= 0xFFFFFFFFFFFFFFFF
    return n - (1 << 64) if n >= 1 << 63 else n


def _c_div(a: int, b: int) -> int:
    q = abs(a) // abs(b)
    return _wrap64(q if (a < 0) == (b < 0) else -q)


def _binary(op: str, a: int, b: int) -> int:
    if op in ("/", "%"):
        if b == 0:
            raise _ArithError("divide by zero")
        q = _c_div(a, b)
        return q if op == "/" else _wrap64(a - b * q)
    if op == "**":
        if b < 0:
            raise _ArithError("exponent less than 0")
        return _wrap64(pow(a, b, 1 << 64))
    if op == "+":
        return _wrap64(a + b)
    if op == "-":
        return _wrap64(a - b)
    if op == "*":
        return _wrap64(a * b)
    if op == "<<":
        return _wrap64(a << (b & 63))
    if op == ">>":
        return a >> (b & 63)
    if op == "&":
        return a & b
    if op == "^":
        return a ^ b
    if op == "|":
        return a | b
    comparisons = {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b, "==": a == b, "!=": a != b}
    return int(comparisons[op])


class _Arithmetic:
    """ash's ``$((...))`` (shell/math.c): 64-bit integers, C's operators and precedence,
    assignments, ``?:``, ``**``; a variable's value is itself evaluated. No ``++``/``--``
    (``1--1`` is 1 - -1) and no ``base#n``."""

    def __init__(self, shell: _Shell, text: str, evaluating: frozenset[str] = frozenset()) -> None:
        self.shell = shell
        self.tokens: list[tuple[str, str]] = []
        self.pos = 0
        self.evaluating = evaluating
        i = 0
        while i < len(text):
            m = _ARITH_TOKEN.match(text, i)
            if m is None:
                if text[i:].strip():
                    raise _ArithError("arithmetic syntax error")
                break
            kind = m.lastgroup or ""
            self.tokens.append((kind, m.group(kind)))
            i = m.end()

    def evaluate(self) -> int:
        if not self.tokens:
            return 0
        value = self._assignment(True)
        if self.pos != len(self.tokens):
            raise _ArithError("arithmetic syntax error")
        return value

    def _peek(self) -> str | None:
        return self.tokens[self.pos][1] if self.pos < len(self.tokens) and self.tokens[self.pos][0] == "op" else None

    def _assignment(self, live: bool) -> int:
        if (
            self.pos + 1 < len(self.tokens)
            and self.tokens[self.pos][0] == "name"
            and self.tokens[self.pos + 1][0] == "op"
            and self.tokens[self.pos + 1][1] in _ASSIGN_OPS
        ):
            name, op = self.tokens[self.pos][1], self.tokens[self.pos + 1][1]
            self.pos += 2
            value = self._assignment(live)
            if live:
                if op != "=":
                    value = _binary(op[:-1], self._variable(name), value)
                self.shell.assign(name, str(value))
            return value
        return self._ternary(live)

    def _ternary(self, live: bool) -> int:
        cond = self._binary_level(0, live)
        if self._peek() != "?":
            return cond
        self.pos += 1
        yes = self._assignment(live and cond != 0)
        if self._peek() != ":":
            raise _ArithError("arithmetic syntax error")
        self.pos += 1
        no = self._ternary(live and cond == 0)
        return yes if cond != 0 else no

    def _binary_level(self, level: int, live: bool) -> int:
        if level == len(_BINARY_LEVELS):
            return self._power(live)
        left = self._binary_level(level + 1, live)
        ops = _BINARY_LEVELS[level]
        while self._peek() in ops:
            op = self._peek() or ""
            self.pos += 1
            # && and || do not evaluate their right side when the left one decides
            if op == "&&":
                right = self._binary_level(level + 1, live and left != 0)
                left = int(left != 0 and right != 0) if live else 0
            elif op == "||":
                right = self._binary_level(level + 1, live and left == 0)
                left = int(left != 0 or right != 0) if live else 0
            else:
                right = self._binary_level(level + 1, live)
                left = _binary(op, left, right) if live else 0
        return left

    def _power(self, live: bool) -> int:
        base = self._unary(live)
        if self._peek() == "**":
            self.pos += 1
            exponent = self._power(live)
            return _binary("**", base, exponent) if live else 0
        return base

    def _unary(self, live: bool) -> int:
        op = self._peek()
        if op in ("+", "-", "!", "~"):
            self.pos += 1
            value = self._unary(live)
            return {"+": value, "-": _wrap64(-value), "!": int(value == 0), "~": _wrap64(~value)}[op or "+"]
        return self._primary(live)

    def _primary(self, live: bool) -> int:
        if self.pos >= len(self.tokens):
            raise _ArithError("arithmetic syntax error")
        kind, text = self.tokens[self.pos]
        self.pos += 1
        if kind == "num":
            return _arith_number(text)
        if kind == "name":
            return self._variable(text) if live else 0
        if text == "(":
            self.shell.enter()
            try:
                value = self._assignment(live)
            finally:
                self.shell.leave()
            if self._peek() != ")":
                raise _ArithError("arithmetic syntax error")
            self.pos += 1
            return value
        raise _ArithError("arithmetic syntax error")

    def _variable(self, name: str) -> int:
        value = self.shell.lookup(name)
        if value is None or not value.strip():
            return 0
        if re.fullmatch(r"\s*-?[0-9]+\s*", value):
            return _wrap64(int(value))
        if name in self.evaluating:
            raise _ArithError("expression recursion loop detected")
        self.shell.enter()
        try:
            return _Arithmetic(self.shell, value, self.evaluating | {name}).evaluate()
        finally:
            self.shell.leave()


def _arith_number(text: str) -> int:
    try:
        if text[:2] in ("0x", "0X"):
            return _wrap64(int(text[2:], 16))
        if len(text) > 1 and text[0] == "0":
            return _wrap64(int(text[1:], 8))
        return _wrap64(int(text, 10))
    except ValueError:
        raise _ArithError("arithmetic syntax error") from None


# == the shell: patterns and field splitting ===================================================
_Seg = tuple[str, bool, bool]  # text, quoted, produced by an expansion


def _glob_regex(segments: Sequence[_Seg]) -> str:
    """A shell pattern (``*``, ``?``, ``[...]`` where unquoted) as a regular expression."""
    out: list[str] = []
    for text, quoted, _ in segments:
        if quoted:
            out.append(re.escape(text))
            continue
        i = 0
        while i < len(text):
            c = text[i]
            if c == "*":
                out.append(".*")
            elif c == "?":
                out.append(".")
            elif c == "[":
                bracket = _bracket(text, i)
                if bracket is None:
                    out.append(re.escape(c))
                else:
                    out.append(bracket[0])
                    i = bracket[1]
            else:
                out.append(re.escape(c))
            i += 1
    return "".join(out)


def _bracket(text: str, i: int) -> tuple[str, int] | None:
    """The ``[...]`` at ``i`` as a regular expression class and the index of its ``]``; None when
    it does not close or is no valid class (then ``[`` is an ordinary character)."""
    start = i + 1
    if text[start : start + 1] in ("!", "^") and start < len(text):
        start += 1
    close = text.find("]", start + 1)  # a "]" right after "[" or "[!" is a member
    if close < 0:
        return None
    body = text[i + 1 : close]
    negate = body[:1] in ("!", "^")
    if negate:
        body = body[1:]
    items = "".join("\\" + ch if ch in "\\]^[" else ch for ch in body)
    regex = f"[{'^' if negate else ''}{items}]"
    try:
        re.compile(regex)
    except re.error:
        return None
    return regex, close


def _strip_pattern(value: str, regex: str, op: str) -> str:
    """``${x#p}`` (shortest prefix), ``##`` (longest), ``%`` (shortest suffix), ``%%`` (longest)."""
    pattern = re.compile(regex, re.DOTALL)
    n = len(value)
    if op in ("#", "##"):
        lengths = range(n + 1) if op == "#" else range(n, -1, -1)
        for k in lengths:
            if pattern.fullmatch(value, 0, k):
                return value[k:]
        return value
    starts = range(n, -1, -1) if op == "%" else range(n + 1)
    for k in starts:
        if pattern.fullmatch(value, k, n):
            return value[:k]
    return value


def _split_ifs(text: str, ifs: str) -> tuple[list[str], list[bool]]:
    """``text`` cut at IFS delimiters: its chunks, and for each cut whether a non-blank IFS
    character made it (a "hard" cut, which keeps an empty field before it)."""
    blanks = {c for c in ifs if c in " \t\n"}
    others = {c for c in ifs if c not in " \t\n"}
    chunks: list[str] = [""]
    hard: list[bool] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in blanks or c in others:
            j = i
            while j < n and text[j] in blanks:
                j += 1
            is_hard = False
            if j < n and text[j] in others:
                is_hard = True
                j += 1
                while j < n and text[j] in blanks:
                    j += 1
            elif c in others:
                is_hard = True
            chunks.append("")
            hard.append(is_hard)
            i = j
        else:
            chunks[-1] += c
            i += 1
    return chunks, hard


# == the shell ================================================================================
_SIGNALS = ("HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2", "PIPE",
            "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ",
            "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS")  # fmt: skip


def _signal_name(spec: str) -> str | None:
    """``TERM`` for ``TERM``, ``SIGTERM``, ``term``, ``15``; ``EXIT`` for ``EXIT``/``0``; None if unknown."""
    if _DIGITS.fullmatch(spec):
        n = int(spec)
        if n == 0:
            return "EXIT"
        return _SIGNALS[n - 1] if n <= len(_SIGNALS) else ("RT" if n <= 64 else None)
    name = spec.upper()
    if name.startswith("SIG"):
        name = name[3:]
    return name if name in _SIGNALS or name == "EXIT" else None


def _stops_on_sigterm(traps: Mapping[str, str] | None) -> bool:
    """A shell whose TERM trap runs ``exit`` stops when SIGTERM comes (the contract takes it to
    stop at once); without one (or with ``trap '' TERM``) a shell as PID 1 ignores SIGTERM."""
    action = (traps or {}).get("TERM")
    return bool(action) and re.search(r"(^|[\s;&|()`])exit($|[\s;&|()`])", action or "") is not None


class _Shell:
    """One ash process: variables, options, traps, positional parameters, descriptors, clock."""

    def __init__(
        self,
        world: _World,
        *,
        environ: Mapping[str, str],
        arg0: str,
        params: Sequence[str] = (),
        fds: Mapping[int, _Sink | _Input] | None = None,
        clock_s: float = 0.0,
        depth: int = 0,
        cwd: str = "/",
    ) -> None:
        self.world = world
        self.vars: dict[str, str] = dict(environ)
        self.exported: set[str] = set(environ)
        self.arg0 = arg0
        self.params = list(params)
        self.status = 0
        self.options: set[str] = set()  # errexit, nounset, pipefail
        self.traps: dict[str, str] = {}
        self.fds: dict[int, _Sink | _Input] = dict(fds) if fds is not None else {0: _Input(), 1: _Log(), 2: _Log()}
        self.clock_s = clock_s
        self.depth = depth
        self.cwd = cwd
        self.jobs: dict[str, tuple[float, int]] = {}
        self.last_job: str | None = None
        self.loops = 0
        self.sub_status: int | None = None

    # -- plumbing -----------------------------------------------------------------------------
    def enter(self) -> None:
        self.depth += 1
        if self.depth > DEPTH_LIMIT:
            raise _Limit

    def leave(self) -> None:
        self.depth -= 1

    def write(self, fd: int, text: str) -> None:
        sink = self.fds.get(fd)
        if isinstance(sink, _Sink):
            sink.write(self.world, text)

    def error(self, message: str) -> None:
        self.write(2, f"{self.arg0}: {message}\n")

    def stdin(self) -> _Input:
        src = self.fds.get(0)
        return src if isinstance(src, _Input) else _Input()

    def child(self, *, fds: Mapping[int, _Sink | _Input] | None = None) -> _Shell:
        """A subshell: a copy of this shell's state (its own clock, no jobs, traps reset)."""
        sub = _Shell(self.world, environ={}, arg0=self.arg0, params=self.params, fds=fds or self.fds,
                     clock_s=self.clock_s, depth=self.depth, cwd=self.cwd)  # fmt: skip
        sub.vars = dict(self.vars)
        sub.exported = set(self.exported)
        sub.status = self.status
        sub.options = set(self.options)
        sub.traps = {k: v for k, v in self.traps.items() if v == "" and k != "EXIT"}
        sub.last_job = self.last_job
        sub.enter()
        return sub

    def environ(self, extra: Sequence[tuple[str, str]] = ()) -> dict[str, str]:
        env = {k: self.vars[k] for k in self.vars if k in self.exported}
        env.update(extra)
        return env

    def resolve(self, path: str) -> str:
        return _normpath(path if path.startswith("/") else f"{self.cwd}/{path}")

    def lookup(self, name: str) -> str | None:
        if name == "?":
            return str(self.status)
        if name == "#":
            return str(len(self.params))
        if name == "$":
            return "1"
        if name == "!":
            return self.last_job
        if name == "-":
            return "".join(flag for flag, opt in (("e", "errexit"), ("u", "nounset")) if opt in self.options)
        if name in ("@", "*"):
            return " ".join(self.params)
        if _DIGITS.fullmatch(name):
            n = int(name)
            if n == 0:
                return self.arg0
            return self.params[n - 1] if n <= len(self.params) else None
        return self.vars.get(name)

    def assign(self, name: str, value: str) -> None:
        if len(value) > TEXT_LIMIT:
            raise _Limit
        self.vars[name] = value

    def state(self) -> tuple[object, ...]:
        """Everything a loop round can depend on (not the clock, not what was printed)."""
        now = self.clock_s
        files = tuple(sorted((p, n.kind, n.text) for p, n in self.world.files.items()))
        jobs = tuple(sorted((pid, max(0.0, end - now), st) for pid, (end, st) in self.jobs.items()))
        fds = tuple(sorted((fd, s.key() if isinstance(s, _Sink) else f"in:{id(s)}:{s.pos}") for fd, s in self.fds.items()))
        return (
            tuple(sorted(self.vars.items())), tuple(sorted(self.exported)), tuple(self.params), self.status,
            tuple(sorted(self.options)), tuple(sorted(self.traps.items())), self.cwd, files, jobs, fds,
            self.last_job,
        )  # fmt: skip

    # -- running a script -----------------------------------------------------------------------
    def run_main(self, script: str) -> int:
        """Run a whole script as this shell's program; its exit status (after the EXIT trap)."""
        try:
            self.run_text(script)
            code = self.status
        except _ExitShell as e:
            code = e.status
        action = self.traps.pop("EXIT", None)
        if action:
            self.status = code
            try:
                self.run_text(action)
            except _ExitShell as e:
                code = e.status
        return code & 0xFF

    def run_text(self, script: str) -> None:
        parser = _Parser(script)
        while True:
            try:
                node = parser.complete_command()
            except _Syntax as e:
                self.error(f"syntax error: {e}")
                raise _ExitShell(EXIT_SYNTAX) from None
            if node is None:
                return
            self.run_list(node, tested=False)

    def run_list(self, node: _List, *, tested: bool) -> None:
        for item, background in node.items:
            if background:
                self.background(item)
            else:
                self.run_and_or(item, tested=tested)

    def run_and_or(self, node: _AndOr, *, tested: bool) -> None:
        # set -e spares every command of an and-or list but the last (POSIX 2.14, set -e)
        self.run_pipeline(node.first, tested=tested or bool(node.rest))
        for k, (op, pipeline) in enumerate(node.rest):
            if (op == "&&") != (self.status == 0):
                continue
            self.run_pipeline(pipeline, tested=tested or k < len(node.rest) - 1)

    def errexit(self, tested: bool) -> None:
        if self.status != 0 and not tested and "errexit" in self.options:
            raise _ExitShell(self.status)

    def run_pipeline(self, node: _Pipeline, *, tested: bool) -> None:
        if len(node.commands) == 1:
            self.run_command(node.commands[0], tested=tested or node.negate)
        else:
            self.pipe(node.commands)
            self.errexit(tested or node.negate)
        if node.negate:
            self.status = int(self.status == 0)

    def pipe(self, commands: Sequence[_Command]) -> None:
        """Each command in a subshell, fed what the one before wrote; the pipeline ends when all
        have (its time is the longest one's) with the last one's status (pipefail: the last
        non-zero one's)."""
        source: _Input = self.stdin()
        ends: list[float] = []
        statuses: list[int] = []
        forever = False
        for k, command in enumerate(commands):
            capture = _Capture() if k < len(commands) - 1 else None
            fds = dict(self.fds)
            fds[0] = source
            if capture is not None:
                fds[1] = capture
            sub = self.child(fds=fds)
            try:
                sub.run_command(command, tested=False)
                statuses.append(sub.status)
            except _ExitShell as e:
                statuses.append(e.status & 0xFF)
            except _Forever:
                forever = True
                statuses.append(0)
            ends.append(sub.clock_s)
            if capture is not None:
                source = _Input(capture.text())
        if forever:
            raise _Forever
        self.clock_s = max(ends)
        status = statuses[-1]
        if "pipefail" in self.options:
            status = next((s for s in reversed(statuses) if s != 0), 0)
        self.status = status

    def background(self, node: _AndOr) -> None:
        """``cmd &``: it runs in a subshell from now on (its effects and output come at once); the
        shell goes on with status 0."""
        sub = self.child()
        try:
            sub.run_and_or(node, tested=False)
            end, status = sub.clock_s, sub.status
        except _ExitShell as e:
            end, status = sub.clock_s, e.status & 0xFF
        except _Forever:
            end, status = FOREVER, 0
        if len(self.jobs) >= JOBS_LIMIT:
            raise _Limit
        self.world.pids += 1
        pid = str(self.world.pids)
        self.jobs[pid] = (end, status)
        self.last_job = pid
        self.status = 0

    def run_command(self, node: _Command, *, tested: bool) -> None:
        if isinstance(node, _Simple):
            self.simple(node, tested=tested)
            return
        saved = dict(self.fds)
        try:
            if not self.redirect(node.redirs):
                self.status = 1
                return
            self.compound(node.body, tested=tested)
        finally:
            self.fds = saved

    def compound(self, body: _If | _Loop | _For | _Case | _Group, *, tested: bool) -> None:
        if isinstance(body, _If):
            for cond, then in body.clauses:
                self.run_list(cond, tested=True)
                if self.status == 0:
                    self.run_list(then, tested=tested)
                    return
            if body.otherwise is not None:
                self.run_list(body.otherwise, tested=tested)
            else:
                self.status = 0
        elif isinstance(body, _Loop):
            self.loop(body, tested=tested)
        elif isinstance(body, _For):
            self.for_loop(body, tested=tested)
        elif isinstance(body, _Case):
            self.case(body, tested=tested)
        elif body.subshell:
            sub = self.child()
            try:
                sub.run_list(body.body, tested=tested)
                self.status = sub.status
            except _ExitShell as e:
                self.status = e.status & 0xFF
            self.clock_s = sub.clock_s
            self.errexit(tested)
        else:
            self.run_list(body.body, tested=tested)

    def _round(self, body: _List, *, tested: bool) -> bool:
        """Run a loop's condition or body once; False when ``break`` ends the loop."""
        try:
            self.run_list(body, tested=tested)
        except _Break as b:
            if b.levels > 1:
                raise _Break(b.levels - 1, again=b.again) from None
            return b.again
        return True

    def loop(self, node: _Loop, *, tested: bool) -> None:
        seen: set[tuple[object, ...]] = set()
        last = 0
        self.loops += 1
        try:
            while True:
                key = self.state()
                if key in seen:
                    raise _Forever  # back where it was: it goes round like this forever
                seen.add(key)
                self.world.tick()
                if not self._round(node.condition, tested=True):
                    break
                if (self.status == 0) == node.until:
                    break
                going = self._round(node.body, tested=tested)
                last = self.status
                if not going:
                    break
        finally:
            self.loops -= 1
        self.status = last

    def for_loop(self, node: _For, *, tested: bool) -> None:
        items = list(self.params) if node.words is None else [f for w in node.words for f in self.fields(w)]
        last = 0
        self.loops += 1
        try:
            for item in items:
                self.world.tick()
                self.assign(node.name, item)
                going = self._round(node.body, tested=tested)
                last = self.status
                if not going:
                    break
        finally:
            self.loops -= 1
        self.status = last

    def case(self, node: _Case, *, tested: bool) -> None:
        subject = self.text(node.word)
        for patterns, body in node.items:
            for pattern in patterns:
                if re.fullmatch(_glob_regex(self.segments(pattern)), subject, re.DOTALL):
                    if body is None:
                        self.status = 0
                    else:
                        self.run_list(body, tested=tested)
                    return
        self.status = 0

    # -- simple commands ------------------------------------------------------------------------
    def simple(self, node: _Simple, *, tested: bool) -> None:
        self.world.tick()
        self.sub_status = None
        fields = [f for w in node.words for f in self.fields(w)]
        if not fields:
            for name, value in node.assigns:
                self.assign(name, self.text(value))
            saved = dict(self.fds)
            try:
                ok = self.redirect(node.redirs)
            finally:
                self.fds = saved
            self.status = 1 if not ok else (self.sub_status or 0)
            self.errexit(tested)
            return
        assigns = [(name, self.text(value)) for name, value in node.assigns]
        name, args = fields[0], fields[1:]
        if name == "exec" and not args:
            for var, text in assigns:
                self.assign(var, text)
            self.status = 0 if self.redirect(node.redirs) else 1
            return
        saved = dict(self.fds)
        try:
            if not self.redirect(node.redirs):
                self.status = 1
            else:
                self.status = self.invoke(name, args, assigns) & 0xFF
        finally:
            self.fds = saved
        self.errexit(tested)

    def invoke(self, name: str, args: list[str], assigns: list[tuple[str, str]]) -> int:
        if "/" not in name and name in SPECIAL_BUILTINS:
            for var, value in assigns:
                self.assign(var, value)
            return self.special(name, args)
        if "/" not in name and name in REGULAR_BUILTINS:
            return self.regular(name, args)
        applet = _applet_of(name)
        if applet is None:
            self.error(f"{name}: not found")
            return EXIT_NOT_FOUND
        return self.program(applet, name, args, self.environ(assigns))

    def program(self, applet: str, argv0: str, args: list[str], environ: dict[str, str]) -> int:
        """Run an applet as a process with this environment (``sh``: a child shell)."""
        if applet in ("sh", "ash"):
            self.enter()
            try:
                return self.nested_shell(argv0, args, environ)
            finally:
                self.leave()
        return _Applets(self, environ).run(applet, argv0, args)

    def nested_shell(self, argv0: str, args: list[str], environ: dict[str, str], *, replaces: bool = False) -> int:
        inv = _Invocation.parse(argv0, args)
        sub = _Shell(self.world, environ=environ, arg0=inv.arg0, params=inv.params, fds=self.fds,
                     clock_s=self.clock_s, depth=self.depth, cwd=self.cwd)  # fmt: skip
        sub.options = set(inv.options)
        if replaces:
            self.world.pid1_traps = sub.traps
        if inv.error is not None:
            sub.write(2, inv.error + "\n")
            return EXIT_SYNTAX
        script = inv.script if inv.script is not None else self.stdin().read_all()
        code = sub.run_main(script)
        self.clock_s = sub.clock_s
        return code

    # -- expansions -----------------------------------------------------------------------------
    def segments(self, word: _Word) -> list[_Seg]:
        out: list[_Seg] = []
        for part in word:
            if isinstance(part, _Lit):
                out.append((part.text, part.quoted, False))
            elif isinstance(part, _Tilde):
                out.append((self.vars.get("HOME", ""), True, True))
            elif isinstance(part, _Param):
                out.extend(self.param(part))
            elif isinstance(part, _Sub):
                out.append((self.substitute(part.script), part.quoted, True))
            else:
                out.append((str(self.arithmetic(part.expr)), part.quoted, True))
        if sum(len(text) for text, _, _ in out) > TEXT_LIMIT:
            raise _Limit
        return out

    def text(self, word: _Word) -> str:
        return "".join(text for text, _, _ in self.segments(word))

    def fields(self, word: _Word) -> list[str]:
        """A word after expansion and field splitting (no pathname expansion: no globs)."""
        ifs = self.vars.get("IFS", " \t\n")
        fields: list[str] = []
        cur = ""
        have = False
        for text, quoted, expanded in self.segments(word):
            if quoted or not expanded or not ifs:
                cur += text
                have = have or quoted or bool(text)
                continue
            chunks, hard = _split_ifs(text, ifs)
            for k, chunk in enumerate(chunks):
                if k > 0:
                    if hard[k - 1] or have or cur:
                        fields.append(cur)
                    cur, have = "", False
                cur += chunk
                have = have or bool(chunk)
        if have or cur:
            fields.append(cur)
        return fields

    def param(self, part: _Param) -> list[_Seg]:
        name, op = part.name, part.op
        value = self.lookup(name)
        is_set = value is not None

        def arg() -> list[_Seg]:
            self.enter()
            try:
                segs = self.segments(self.parts_of(part.arg, part.quoted))
            finally:
                self.leave()
            return [(t, q or part.quoted, True) for t, q, _ in segs]

        if op in (":-", "-", ":=", "=", ":+", "+", ":?", "?"):
            missing = not is_set or (op.startswith(":") and value == "")
            base = op[-1]
            if base == "-":
                return arg() if missing else [(value or "", part.quoted, True)]
            if base == "=":
                if not missing:
                    return [(value or "", part.quoted, True)]
                new = "".join(t for t, _, _ in arg())
                if _NAME_RE.fullmatch(name):
                    self.assign(name, new)
                return [(new, part.quoted, True)]
            if base == "+":
                return [] if missing else arg()
            if missing:
                message = "".join(t for t, _, _ in arg()) or "parameter not set"
                self.error(f"{name}: {message}")
                raise _ExitShell(EXIT_SYNTAX)
            return [(value or "", part.quoted, True)]
        if not is_set and "nounset" in self.options and name not in ("@", "*"):
            self.error(f"{name}: parameter not set")
            raise _ExitShell(EXIT_SYNTAX)
        if op == "len":
            return [(str(len(value or "")), part.quoted, True)]
        if op in ("#", "##", "%", "%%"):
            pattern = _glob_regex([(t, q, e) for t, q, e in arg()])
            return [(_strip_pattern(value or "", pattern, op), part.quoted, True)]
        return [(value or "", part.quoted, True)]

    def parts_of(self, text: str, quoted: bool) -> _Word:
        """The word inside an expansion, read when it is expanded (ash reads it with the command:
        a syntax error in it ends the shell the same way)."""
        try:
            return tuple(_text_parts(text, quoted))
        except _Syntax as e:
            self.error(f"syntax error: {e}")
            raise _ExitShell(EXIT_SYNTAX) from None

    def substitute(self, script: str) -> str:
        capture = _Capture()
        fds = dict(self.fds)
        fds[1] = capture
        sub = self.child(fds=fds)
        try:
            sub.run_text(script)
            status = sub.status
        except _ExitShell as e:
            status = e.status & 0xFF
        self.clock_s = sub.clock_s
        self.sub_status = status
        self.status = status
        return capture.text().rstrip("\n")

    def arithmetic(self, expr: str) -> int:
        self.enter()
        try:
            text = "".join(t for t, _, _ in self.segments(self.parts_of(expr, True)))
            return _Arithmetic(self, text).evaluate()
        except _ArithError as e:
            self.error(str(e))
            raise _ExitShell(EXIT_SYNTAX) from None
        finally:
            self.leave()

    # -- redirections ---------------------------------------------------------------------------
    def redirect(self, redirs: Sequence[_Redir]) -> bool:
        """Apply redirections to ``self.fds``; False (after ash's message) when one fails."""
        for r in redirs:
            target = self.text(r.target)
            if r.op in (">&", "<&"):
                if target == "-":
                    self.fds.pop(r.fd, None)
                    continue
                number = _DIGITS.fullmatch(target) is not None
                if not number or int(target) not in self.fds:
                    self.error(f"{target}: bad file descriptor" if number else f"{target}: bad fd number")
                    return False
                self.fds[r.fd] = self.fds[int(target)]
                continue
            path = self.resolve(target)
            node = self.world.files.get(path)
            if r.op == "<":
                if node is None:
                    self.error(f"can't open {target}: No such file or directory")
                    return False
                self.fds[r.fd] = self.stdin() if path == "/dev/stdin" else _Input(node.text or "")
                continue
            sink = self.open_for_write(path, target, append=r.op in (">>", "<>"))
            if sink is None:
                return False
            if r.op == "<>":
                opened = self.world.files.get(path)
                self.fds[r.fd] = _Input(opened.text or "" if opened is not None else "")
            else:
                self.fds[r.fd] = sink
        return True

    def open_for_write(self, path: str, shown: str, *, append: bool) -> _Sink | None:
        node = self.world.files.get(path)
        if path == "/dev/stdout":
            out = self.fds.get(1)
            return out if isinstance(out, _Sink) else _Null()
        if path == "/dev/stderr":
            err = self.fds.get(2)
            return err if isinstance(err, _Sink) else _Null()
        if node is not None and node.kind == "dev":
            return _Null()
        if node is not None and node.kind == "dir":
            self.error(f"can't create {shown}: Is a directory")
            return None
        parent = self.world.files.get(path.rsplit("/", 1)[0] or "/")
        if parent is None or parent.kind != "dir":
            self.error(f"can't create {shown}: No such file or directory")
            return None
        if node is None:
            self.world.files[path] = _Node("file", "")
        elif not append:
            node.text = ""
        return _FileSink(path)

    # -- builtins -------------------------------------------------------------------------------
    def special(self, name: str, args: list[str]) -> int:
        """ash's special builtins; their errors end a non-interactive shell (exit 2)."""
        if name == ":":
            return 0
        if name == "exit":
            if not args:
                raise _ExitShell(self.status)
            if not re.fullmatch(r"-?[0-9]+", args[0]):
                self.error(f"exit: Illegal number: {args[0]}")
                raise _ExitShell(EXIT_SYNTAX)
            raise _ExitShell(int(args[0]) & 0xFF)
        if name in ("break", "continue"):
            levels = 1
            if args:
                if not _DIGITS.fullmatch(args[0]) or int(args[0]) < 1:
                    self.error(f"{name}: Illegal number: {args[0]}")
                    raise _ExitShell(EXIT_SYNTAX)
                levels = int(args[0])
            if self.loops == 0:
                return 0
            raise _Break(min(levels, self.loops), again=name == "continue")
        if name == "eval":
            self.enter()
            try:
                self.status = 0
                self.run_text(" ".join(args))
                return self.status
            finally:
                self.leave()
        if name == "exec":
            return self.exec(args)
        if name == "export":
            for arg in args:
                if arg == "-p":
                    continue
                var, eq, value = arg.partition("=")
                if not _NAME_RE.fullmatch(var):
                    self.error(f"export: {arg}: bad variable name")
                    raise _ExitShell(EXIT_SYNTAX)
                if eq:
                    self.assign(var, value)
                self.exported.add(var)
            return 0
        if name == "unset":
            for arg in args:
                if arg in ("-v", "-f"):
                    continue
                if not _NAME_RE.fullmatch(arg):
                    self.error(f"unset: {arg}: bad variable name")
                    raise _ExitShell(EXIT_SYNTAX)
                self.vars.pop(arg, None)
                self.exported.discard(arg)
            return 0
        if name == "shift":
            n = 1
            if args:
                if not _DIGITS.fullmatch(args[0]):
                    self.error(f"shift: Illegal number: {args[0]}")
                    raise _ExitShell(EXIT_SYNTAX)
                n = int(args[0])
            if n > len(self.params):
                self.error("shift: can't shift that many")
                raise _ExitShell(EXIT_SYNTAX)
            self.params = self.params[n:]
            return 0
        if name == "set":
            return self.set(args)
        return self.trap(args)

    def set(self, args: list[str]) -> int:
        known = {"errexit": "errexit", "nounset": "nounset", "pipefail": "pipefail"}
        ignored = {"xtrace", "verbose", "noglob", "allexport", "noclobber", "noexec", "notify", "monitor", "vi",
                   "emacs", "ignoreeof", "nolog", "debug"}  # fmt: skip
        letters = {"e": "errexit", "u": "nounset"}
        k = 0
        while k < len(args):
            arg = args[k]
            if arg == "--":
                self.params = args[k + 1 :]
                return 0
            if len(arg) < 2 or arg[0] not in "-+":
                self.params = args[k:]
                return 0
            on = arg[0] == "-"
            for ch in arg[1:]:
                if ch == "o":
                    k += 1
                    if k >= len(args):
                        return 0  # "set -o" lists the options: nothing the contract prints
                    opt = args[k]
                    if opt not in known and opt not in ignored:
                        self.error(f"set: illegal option -o {opt}")
                        raise _ExitShell(EXIT_SYNTAX)
                    if opt in known:
                        (self.options.add if on else self.options.discard)(known[opt])
                elif ch in letters:
                    (self.options.add if on else self.options.discard)(letters[ch])
                elif ch not in "xvfaCnmbh":
                    self.error(f"set: illegal option {arg[0]}{ch}")
                    raise _ExitShell(EXIT_SYNTAX)
            k += 1
        return 0

    def trap(self, args: list[str]) -> int:
        if not args or args == ["-p"]:
            return 0  # listing the traps: nothing the contract prints
        if args[0] == "-" or _DIGITS.fullmatch(args[0]) or len(args) == 1:
            action, specs = None, args[1:] if args[0] == "-" else args
        else:
            action, specs = args[0], args[1:]
        for spec in specs:
            sig = _signal_name(spec)
            if sig is None:
                self.error(f"trap: {spec}: bad trap")
                raise _ExitShell(EXIT_SYNTAX)
            if action is None or action == "-":
                self.traps.pop(sig, None)
            else:
                self.traps[sig] = action
        return 0

    def exec(self, args: list[str]) -> int:
        """``exec cmd``: the program replaces the shell (and is PID 1 if the shell was)."""
        name = args[0]
        applet = _applet_of(name)
        replaces = self.world.pid1_traps is self.traps
        if applet is None:
            self.error(f"exec: {name}: not found")
            raise _ExitShell(EXIT_NOT_FOUND)
        if applet in ("sh", "ash"):
            self.enter()
            code = self.nested_shell(name, args[1:], self.environ(), replaces=replaces)
        else:
            if replaces:
                self.world.pid1_traps = None
            code = _Applets(self, self.environ()).run(applet, name, args[1:])
        raise _ExitShell(code)

    def regular(self, name: str, args: list[str]) -> int:
        """ash's other builtins; an error in one sets its status and the script goes on."""
        if name == "cd":
            target = args[0] if args else self.vars.get("HOME", HOME)
            path = self.resolve(target)
            node = self.world.files.get(path)
            if node is None or node.kind != "dir":
                why = "No such file or directory" if node is None else "Not a directory"
                self.error(f"cd: can't cd to {target}: {why}")
                return EXIT_SYNTAX
            self.cwd = path
            return 0
        if name == "read":
            return self.read(args)
        if name == "wait":
            return self.wait(args)
        return _Applets(self, self.environ(), prog=self.arg0).run(name, name, args)

    def read(self, args: list[str]) -> int:
        raw = False
        names: list[str] = []
        k = 0
        while k < len(args):
            if args[k] == "-r":
                raw = True
            elif args[k] in ("-p", "-t", "-n", "-u", "-d"):
                k += 1
            else:
                names.append(args[k])
            k += 1
        names = names or ["REPLY"]
        self.world.tick()
        line = self.stdin().read_line()
        status = 0 if line is not None and line.endswith("\n") else 1
        text = (line or "").rstrip("\n")
        if not raw:
            text = re.sub(r"\\(.)", r"\1", text)
        values = _read_fields(text, self.vars.get("IFS", " \t\n"), len(names))
        for var, value in zip(names, values):
            if not _NAME_RE.fullmatch(var):
                self.error(f"read: '{var}': not a valid identifier")
                return EXIT_SYNTAX
            self.assign(var, value)
        return status

    def wait(self, args: list[str]) -> int:
        pids = list(args) if args else list(self.jobs)
        status = 0
        for pid in pids:
            job = self.jobs.pop(pid, None)
            if job is None:
                self.error(f"wait: pid {pid} is not a child of this shell")
                status = EXIT_NOT_FOUND
                continue
            end, job_status = job
            if end == FOREVER:
                raise _Forever
            self.clock_s = max(self.clock_s, end)
            status = job_status
        return status if args else 0


def _read_fields(text: str, ifs: str, count: int) -> list[str]:
    """``read``'s split of a line into ``count`` values: IFS blanks around them go, the last one
    takes the rest of the line."""
    blanks = "".join(c for c in ifs if c in " \t\n")
    rest = text.strip(blanks)
    values: list[str] = []
    for _ in range(count - 1):
        cut = next((k for k, c in enumerate(rest) if c in ifs), None) if ifs else None
        if cut is None:
            values.append(rest)
            rest = ""
            continue
        values.append(rest[:cut])
        rest = rest[cut:].lstrip(blanks)
        if rest[:1] and rest[0] in ifs:
            rest = rest[1:].lstrip(blanks)
    values.append(rest)
    return values


def _applet_of(name: str) -> str | None:
    """The applet a command name runs: by name, or as a path in one of the applet directories."""
    if "/" not in name:
        return name if name in APPLETS else None
    path = _normpath(name)
    directory, _, base = path.rpartition("/")
    return base if directory in APPLET_DIRS and base in APPLETS else None


@dataclass(frozen=True)
class _Invocation:
    """How a shell was invoked: ``sh [-eux] [-o opt] -c SCRIPT [NAME [ARG...]]`` or ``sh`` (stdin)."""

    arg0: str
    script: str | None
    params: tuple[str, ...]
    options: frozenset[str]
    error: str | None = None

    @classmethod
    def parse(cls, argv0: str, args: Sequence[str]) -> _Invocation:
        options: set[str] = set()
        command = False
        k = 0
        while k < len(args) and len(args[k]) > 1 and args[k][0] in "-+" and args[k] != "--":
            cluster = args[k]
            on = cluster[0] == "-"
            for ch in cluster[1:]:
                if ch == "c":
                    command = True
                elif ch in "eu":
                    opt = "errexit" if ch == "e" else "nounset"
                    (options.add if on else options.discard)(opt)
                elif ch == "o":
                    k += 1
                    if k < len(args) and args[k] == "pipefail":
                        options.add("pipefail")
                elif ch not in "xvfaCnmbhisl":
                    return cls(argv0, None, (), frozenset(), f"{argv0}: illegal option {cluster[0]}{ch}")
            k += 1
        if k < len(args) and args[k] == "--":
            k += 1
        rest = list(args[k:])
        if command:
            if not rest:
                return cls(argv0, None, (), frozenset(), f"{argv0}: -c requires an argument")
            name = rest[1] if len(rest) > 1 else argv0
            return cls(name, rest[0], tuple(rest[2:]), frozenset(options))
        if rest:
            return cls(argv0, None, (), frozenset(), f"{argv0}: can't open '{rest[0]}': No such file or directory")
        return cls(argv0, None, (), frozenset(options))


# == the applets =============================================================================
_ECHO_ESCAPES = {"a": "\a", "b": "\b", "e": "\x1b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\"}


def _escape_at(text: str, i: int, *, octal_prefix: str) -> tuple[str, int, bool]:
    """The backslash escape at ``i`` (echo -e's, with ``\\0NNN``; printf's, with ``\\NNN``): its
    text, the index after it, and whether it is ``\\c`` (no more output)."""
    nxt = text[i + 1 : i + 2]
    if nxt == "c":
        return "", i + 2, True
    if nxt and nxt in _ECHO_ESCAPES:
        return _ECHO_ESCAPES[nxt], i + 2, False
    j = i + 1
    if octal_prefix:
        if nxt != octal_prefix:
            return "\\", i + 1, False
        j += 1
    m = re.match(r"[0-7]{1,3}", text[j:])
    if m is None and not octal_prefix:
        return "\\", i + 1, False
    digits = m.group(0) if m else ""
    return chr(int(digits or "0", 8)), j + len(digits), False


def _escapes(text: str, *, octal_prefix: str) -> tuple[str, bool]:
    """``text`` with its backslash escapes read; True when ``\\c`` stopped it."""
    out: list[str] = []
    i = 0
    while i < len(text):
        if text[i] != "\\":
            out.append(text[i])
            i += 1
            continue
        piece, i, stop = _escape_at(text, i, octal_prefix=octal_prefix)
        if stop:
            return "".join(out), True
        out.append(piece)
    return "".join(out), False


class _Applets:
    """The programs the contract knows, run for a shell (their messages name the program, or
    the shell when one of its builtins runs them)."""

    def __init__(self, shell: _Shell, environ: dict[str, str], *, prog: str | None = None) -> None:
        self.sh = shell
        self.environ = environ
        self.prog = prog

    def out(self, text: str) -> None:
        self.sh.write(1, text)

    def err(self, applet: str, message: str) -> None:
        self.sh.write(2, f"{self.prog or applet}: {message}\n")

    def run(self, applet: str, argv0: str, args: list[str]) -> int:
        handler = getattr(self, "_" + {"[": "test", "[[": "test"}.get(applet, applet))
        return int(handler(argv0, args))

    def _true(self, argv0: str, args: list[str]) -> int:
        return 0

    def _false(self, argv0: str, args: list[str]) -> int:
        return 1

    def _sleep(self, argv0: str, args: list[str]) -> int:
        seconds = sleep_seconds(args)
        if seconds == FOREVER:
            raise _Forever
        self.sh.clock_s += seconds
        return 0

    def _echo(self, argv0: str, args: list[str]) -> int:
        newline, escapes = True, False
        while args and re.fullmatch(r"-[neE]+", args[0]):
            for ch in args[0][1:]:
                newline = newline and ch != "n"
                escapes = True if ch == "e" else False if ch == "E" else escapes
            args = args[1:]
        text = " ".join(args)
        if escapes:
            text, stop = _escapes(text, octal_prefix="0")
            newline = newline and not stop
        self.out(text + ("\n" if newline else ""))
        return 0

    def _printf(self, argv0: str, args: list[str]) -> int:
        if not args:
            self.err("printf", "usage: printf FORMAT [ARGUMENT...]")
            return 1
        fmt, rest = args[0], args[1:]
        status = 0
        chunks: list[str] = []
        while True:
            used = 0
            i = 0
            while i < len(fmt):
                c = fmt[i]
                if c == "\\":
                    piece, i, stop = _escape_at(fmt, i, octal_prefix="")
                    if stop:
                        self.out("".join(chunks))
                        return status
                    chunks.append(piece)
                    continue
                if c != "%":
                    chunks.append(c)
                    i += 1
                    continue
                m = re.match(r"%([-+ 0#]*)([0-9]*)(?:\.([0-9]*))?([sbcdiouxXeEfgG%])", fmt[i:])
                if m is None:
                    self.err("printf", f"{fmt[i:i + 2]}: invalid format")
                    self.out("".join(chunks))
                    return 1
                flags, width, precision, conv = m.groups()
                i += m.end()
                if len(width) > 4 or len(precision or "") > 4:
                    raise _Limit  # a field wider than TEXT_LIMIT
                if conv == "%":
                    chunks.append("%")
                    continue
                value = rest[used] if used < len(rest) else None
                used += 1
                spec = f"%{flags.replace('#', '') if conv == 'o' else flags}{width}"
                spec += f".{precision}" if precision is not None else ""
                if conv in "sb":
                    text = value or ""
                    if conv == "b":
                        text, stop = _escapes(text, octal_prefix="0")
                        if stop:
                            chunks.append(text)
                            self.out("".join(chunks))
                            return status
                    chunks.append((spec + "s") % text)
                elif conv == "c":
                    chunks.append((spec + "s") % (value or "")[:1])
                elif conv in "diouxX":
                    number, ok = _printf_int(value)
                    if not ok:
                        self.err("printf", f"invalid number '{value}'")
                        status = 1
                    if conv in "uoxX" and number < 0:
                        number &= 0xFFFFFFFFFFFFFFFF
                    chunks.append((spec + ("d" if conv in "iu" else conv)) % number)
                else:
                    real, ok = _printf_float(value)
                    if not ok:
                        self.err("printf", f"invalid number '{value}'")
                        status = 1
                    chunks.append((spec + conv) % real)
            if used == 0 or used >= len(rest):
                break
            rest = rest[used:]
        self.out("".join(chunks))
        return status

    def _test(self, argv0: str, args: list[str]) -> int:
        name = argv0.rsplit("/", 1)[-1]
        if name in ("[", "[["):
            close = "]" if name == "[" else "]]"
            if not args or args[-1] != close:
                self.err(name, f"missing {close}")
                return 2
            args = args[:-1]
        return _Test(self, name, args).run()

    def _pwd(self, argv0: str, args: list[str]) -> int:
        self.out(self.sh.cwd + "\n")
        return 0

    def _hostname(self, argv0: str, args: list[str]) -> int:
        if any(not a.startswith("-") for a in args):
            self.err("hostname", "sethostname: Operation not permitted")
            return 1
        self.out(self.sh.world.hostname + "\n")
        return 0

    def _cat(self, argv0: str, args: list[str]) -> int:
        operands = [a for a in args if a == "-" or not a.startswith("-")] or ["-"]
        status = 0
        for operand in operands:
            if operand == "-":
                self.out(self.sh.stdin().read_all())
                continue
            path = self.sh.resolve(operand)
            node = self.sh.world.files.get(path)
            if node is None:
                self.err("cat", f"can't open '{operand}': No such file or directory")
                status = 1
            elif node.kind == "dir":
                self.err("cat", "read error: Is a directory")
                status = 1
            elif path == "/dev/stdin":
                self.out(self.sh.stdin().read_all())
            else:
                self.out(node.text or "")
        return status

    def _ls(self, argv0: str, args: list[str]) -> int:
        operands = [a for a in args if not a.startswith("-")] or ["."]
        status = 0
        files = self.sh.world.files
        for operand in operands:
            path = self.sh.resolve(operand)
            node = files.get(path)
            if node is None:
                self.err("ls", f"{operand}: No such file or directory")
                status = 1
            elif node.kind != "dir":
                self.out(operand + "\n")
            else:
                prefix = path.rstrip("/") + "/"
                names = sorted({p[len(prefix) :].split("/", 1)[0] for p in files if p.startswith(prefix) and p != path})
                self.out("".join(n + "\n" for n in names))
        return status

    def _touch(self, argv0: str, args: list[str]) -> int:
        status = 0
        for operand in (a for a in args if not a.startswith("-")):
            path = self.sh.resolve(operand)
            files = self.sh.world.files
            if path in files:
                continue
            parent = files.get(path.rsplit("/", 1)[0] or "/")
            if parent is None or parent.kind != "dir":
                self.err("touch", f"{operand}: No such file or directory")
                status = 1
                continue
            files[path] = _Node("file", "")
        return status

    def _mkdir(self, argv0: str, args: list[str]) -> int:
        parents = any(a.startswith("-") and "p" in a for a in args)
        status = 0
        files = self.sh.world.files
        skip = False
        for a in args:
            if skip:
                skip = False
                continue
            if a.startswith("-"):
                skip = a.endswith("m")
                continue
            path = self.sh.resolve(a)
            if path in files:
                if not (parents and files[path].kind == "dir"):
                    self.err("mkdir", f"can't create directory '{a}': File exists")
                    status = 1
                continue
            parent = path.rsplit("/", 1)[0] or "/"
            if parent not in files and parents:
                chain = []
                p = parent
                while p not in files:
                    chain.append(p)
                    p = p.rsplit("/", 1)[0] or "/"
                if files[p].kind != "dir":
                    self.err("mkdir", f"can't create directory '{a}': Not a directory")
                    status = 1
                    continue
                for d in reversed(chain):
                    files[d] = _Node("dir")
            node = files.get(parent)
            if node is None or node.kind != "dir":
                self.err("mkdir", f"can't create directory '{a}': No such file or directory")
                status = 1
                continue
            files[path] = _Node("dir")
        return status

    def _rm(self, argv0: str, args: list[str]) -> int:
        flags = "".join(a[1:] for a in args if a.startswith("-") and len(a) > 1)
        force, recursive = "f" in flags, "r" in flags or "R" in flags
        status = 0
        files = self.sh.world.files
        for operand in (a for a in args if not a.startswith("-") or a == "-"):
            path = self.sh.resolve(operand)
            node = files.get(path)
            if node is None:
                if not force:
                    self.err("rm", f"can't remove '{operand}': No such file or directory")
                    status = 1
                continue
            if node.kind == "dir":
                if not recursive:
                    self.err("rm", f"'{operand}' is a directory")
                    status = 1
                    continue
                prefix = path.rstrip("/") + "/"
                for p in [p for p in files if p.startswith(prefix)]:
                    del files[p]
            del files[path]
        return status

    def _seq(self, argv0: str, args: list[str]) -> int:
        if not 1 <= len(args) <= 3:
            self.err("seq", "usage: seq [-w] [-s SEP] [FIRST [INC]] LAST")
            return 1
        numbers: list[int] = []
        for a in args:
            if not re.fullmatch(r"\s*[-+]?[0-9]+\s*", a):
                self.err("seq", f"invalid number '{a}'")
                return 1
            numbers.append(int(a))
        first, inc, last = (1, 1, numbers[0]) if len(numbers) == 1 else (
            (numbers[0], 1, numbers[1]) if len(numbers) == 2 else (numbers[0], numbers[1], numbers[2]))  # fmt: skip
        if inc == 0:
            if first <= last:
                raise _Limit  # seq prints FIRST forever
            return 0
        count = max(0, (last - first) // inc + 1)
        self.sh.world.tick(count)
        self.out("".join(f"{first + k * inc}\n" for k in range(count)))
        return 0

    def _env(self, argv0: str, args: list[str]) -> int:
        environ = dict(self.environ)
        k = 0
        while k < len(args) and args[k].startswith("-") and args[k] != "-":
            if args[k] in ("-i", "--ignore-environment"):
                environ = {}
            elif args[k] == "-u" and k + 1 < len(args):
                k += 1
                environ.pop(args[k], None)
            k += 1
        while k < len(args) and "=" in args[k]:
            var, _, value = args[k].partition("=")
            environ[var] = value
            k += 1
        if k >= len(args):
            self.out("".join(f"{var}={value}\n" for var, value in environ.items()))
            return 0
        applet = _applet_of(args[k])
        if applet is None:
            self.err("env", f"can't execute '{args[k]}': No such file or directory")
            return EXIT_NOT_FOUND
        return self.sh.program(applet, args[k], args[k + 1 :], environ)

    def _printenv(self, argv0: str, args: list[str]) -> int:
        if not args:
            self.out("".join(f"{var}={value}\n" for var, value in self.environ.items()))
            return 0
        status = 0
        for var in args:
            if var in self.environ:
                self.out(self.environ[var] + "\n")
            else:
                status = 1
        return status


def _printf_int(value: str | None) -> tuple[int, bool]:
    if value is None or value == "":
        return 0, True
    if len(value) >= 2 and value[0] in "'\"":
        return ord(value[1]), True
    m = re.fullmatch(r"\s*([-+]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)\s*", value)
    if m is None:
        lead = re.match(r"\s*[-+]?[0-9]+", value)
        return (int(lead.group(0)) if lead else 0), False
    sign, digits = m.groups()
    base = 16 if digits[:2].lower() == "0x" else 8 if digits.startswith("0") and len(digits) > 1 else 10
    number = int(digits[2:] if base == 16 else digits, base)
    return _wrap64(-number if sign == "-" else number), True


def _printf_float(value: str | None) -> tuple[float, bool]:
    if value is None or value == "":
        return 0.0, True
    try:
        real = float(value)
    except ValueError:
        return 0.0, False
    return (real, True) if math.isfinite(real) else (0.0, False)


class _Test:
    """busybox's ``test``/``[`` (coreutils/test.c): POSIX's special cases by argument count,
    then ``-o`` over ``-a`` over ``!`` over primaries; files are the container's known files."""

    _UNARY = frozenset({"-r", "-w", "-x", "-e", "-f", "-d", "-c", "-b", "-p", "-u", "-g", "-k", "-s", "-t", "-z",
                        "-n", "-h", "-L", "-O", "-G", "-S"})  # fmt: skip
    _BINARY = frozenset({"=", "==", "!=", "<", ">", "-eq", "-ne", "-ge", "-gt", "-le", "-lt", "-nt", "-ot", "-ef"})

    def __init__(self, applets: _Applets, name: str, args: list[str]) -> None:
        self.applets = applets
        self.name = name
        self.args = args
        self.pos = 0

    def fail(self, message: str) -> NoReturn:
        self.applets.err(self.name, message)
        raise _TestError

    def run(self) -> int:
        try:
            return self._run()
        except _TestError:
            return 2

    def _run(self) -> int:
        args = self.args
        negate = 0
        while True:
            if not args:
                return 1
            if len(args) == 1:
                return int(args[0] == "") ^ negate
            if len(args) == 3 and args[1] in self._BINARY:
                self.args, self.pos = args, 0
                return int(not self.binop()) ^ negate
            if args[0] == "!":
                args = args[1:]
                negate ^= 1
                continue
            break
        self.args, self.pos = args, 0
        result = int(not self.oexpr())
        if self.pos < len(self.args):
            self.fail(f"{self.args[self.pos]}: unknown operand")
        return result ^ negate

    def peek(self, k: int = 0) -> str | None:
        return self.args[self.pos + k] if self.pos + k < len(self.args) else None

    def oexpr(self) -> bool:
        res = self.aexpr()
        while self.peek() == "-o":
            self.pos += 1
            res = self.aexpr() or res
        return res

    def aexpr(self) -> bool:
        res = self.nexpr()
        while self.peek() == "-a":
            self.pos += 1
            res = self.nexpr() and res
        return res

    def nexpr(self) -> bool:
        if self.peek() == "!":
            self.pos += 1
            return not self.nexpr()
        return self.primary()

    def primary(self) -> bool:
        arg = self.peek()
        if arg is None:
            self.fail("argument expected")
        if arg == "(":
            self.pos += 1
            res = self.oexpr()
            if self.peek() != ")":
                self.fail("closing paren expected")
            self.pos += 1
            return res
        if self.peek(1) in self._BINARY and self.peek(2) is not None:
            return self.binop()
        if arg in self._UNARY:
            operand = self.peek(1)
            if operand is None:
                self.pos += 1
                return arg != ""
            self.pos += 2
            return self.unary(arg, operand)
        if self.peek(1) in self._BINARY:
            self.pos += 1
            self.fail(f"{self.peek()}: argument expected")
        self.pos += 1
        return arg != ""

    def binop(self) -> bool:
        left, op, right = self.args[self.pos], self.args[self.pos + 1], self.args[self.pos + 2]
        self.pos += 3
        if op in ("=", "=="):
            return left == right
        if op == "!=":
            return left != right
        if op == "<":
            return left < right
        if op == ">":
            return left > right
        if op in ("-nt", "-ot"):
            return False
        if op == "-ef":
            files = self.applets.sh.world.files
            one, other = self.applets.sh.resolve(left), self.applets.sh.resolve(right)
            return one == other and one in files
        a, b = self.number(left), self.number(right)
        return {"-eq": a == b, "-ne": a != b, "-ge": a >= b, "-gt": a > b, "-le": a <= b, "-lt": a < b}[op]

    def number(self, text: str) -> int:
        if not re.fullmatch(r"\s*[-+]?[0-9]+\s*", text):
            self.fail(f"{text}: bad number" if text else "bad number")
        value = int(text)
        if not -(1 << 63) <= value < 1 << 63:
            self.fail(f"{text}: out of range")
        return value

    def unary(self, op: str, operand: str) -> bool:
        if op == "-z":
            return operand == ""
        if op == "-n":
            return operand != ""
        if op == "-t":
            self.number(operand)
            return False  # no terminal: a container runs without a tty
        path = self.applets.sh.resolve(operand) if operand else ""
        node = self.applets.sh.world.files.get(path) if operand else None
        if node is None:
            return False
        if op == "-f":
            return node.kind == "file"
        if op == "-d":
            return node.kind == "dir"
        if op == "-c":
            return node.kind == "dev"
        if op == "-s":
            return node.kind != "file" or node.text is None or node.text != ""
        if op == "-x":
            return node.kind == "dir" or (node.kind == "file" and _applet_of(path) is not None)
        if op in ("-e", "-r", "-w", "-O", "-G"):
            return True
        return False  # -b -p -u -g -k -h -L -S: no such files in the container


class _TestError(Exception):
    """test's error: its message is out, the status is 2."""


# == the contract's command lines ==============================================================
def sleep_seconds(args: Sequence[str]) -> float:
    """``sleep``'s duration: its first argument, seconds or with an ``s``/``m``/``h``/``d`` suffix.

    ``infinity`` never ends; no argument, one that is not a number, or a negative one sleeps 0 s.
    """
    if not args:
        return 0.0
    arg = args[0]
    if arg == "infinity":
        return FOREVER
    unit = _SLEEP_UNITS_S.get(arg[-1:])
    try:
        seconds = float(arg[:-1]) * unit if unit else float(arg)
    except ValueError:
        return 0.0
    if math.isnan(seconds) or seconds < 0:
        return 0.0
    return seconds


def _process_env(env: Mapping[str, str] | None, hostname: str) -> dict[str, str]:
    """What a container's process sees: PATH, HOSTNAME, the kubelet's variables, HOME."""
    process = {"PATH": PATH_VALUE, "HOSTNAME": hostname}
    process.update(SERVICE_ENV if env is None else env)
    process.setdefault("HOME", HOME)
    return process


def _run(argv: Sequence[str], *, environ: Mapping[str, str], hostname: str, shell: bool) -> Program:
    """Run a shell (``shell``) or one applet as PID 1 of a fresh container."""
    world = _World(hostname=hostname, files=_initial_files(hostname))
    top = _Shell(world, environ=environ, arg0="sh")
    world.pid1_traps = top.traps if shell else None
    try:
        if shell:
            code = top.nested_shell(argv[0], list(argv[1:]), dict(environ), replaces=True)
        elif argv[0] == "exit":
            try:
                top.special("exit", list(argv[1:]))
                code = 0
            except _ExitShell as e:
                code = e.status
        else:
            code = top.program(_applet_of(argv[0]) or "", argv[0], list(argv[1:]), dict(environ))
        clock_s = top.clock_s
    except (_Forever, _Limit):
        return Program(FOREVER, 0, world.output(), ignores_sigterm=not _stops_on_sigterm(world.pid1_traps))
    return Program(clock_s, code & 0xFF, world.output(), ignores_sigterm=not _stops_on_sigterm(world.pid1_traps))


def run_script(
    script: str, *, env: Mapping[str, str] | None = None, hostname: str = "", arg0: str = "sh"
) -> Program:
    """Run ``script`` as ``sh -c`` would in a container with the kubelet's variables ``env``."""
    return _run([arg0, "-c", script], environ=_process_env(env, hostname), hostname=hostname, shell=True)


def interpret(
    image: str,
    command: Sequence[str] | None,
    args: Sequence[str] | None,
    *,
    env: Mapping[str, str] | None = None,
    hostname: str = "",
) -> Program:
    """What a container with this image, command and args does once it has started.

    ``env`` is what the kubelet gives it (:func:`container_env`; the ``kubernetes`` service's
    variables when not given), in which ``$(VAR)`` in command and args is expanded;
    ``hostname`` its pod's host name.
    """
    variables = dict(SERVICE_ENV if env is None else env)
    argv = [expand_kubernetes(str(word), variables) for word in [*(command or []), *(args or [])]]
    if not argv:
        # a shell image's default command is a shell with no tty: it exits at once; any other
        # image runs its own program until it is stopped (and stops on SIGTERM)
        return Program(0.0, 0) if is_shell_image(image) else Program(FOREVER, 0)
    environ = _process_env(variables, hostname)
    if argv[0].rsplit("/", 1)[-1] in SHELLS:
        return _run(argv, environ=environ, hostname=hostname, shell=True)
    if argv[0] == "exit" or _applet_of(argv[0]) is not None:
        return _run(argv, environ=environ, hostname=hostname, shell=False)
    if is_shell_image(image):
        return Program(0.0, EXIT_NOT_FOUND, (f"exec {argv[0]}: not found",))
    return Program(FOREVER, 0)  # the image's own program (nginx, pause, ...)


def probe_passes(
    probe: Mapping[str, Any] | None, *, env: Mapping[str, str] | None = None, hostname: str = ""
) -> bool:
    """Whether a readiness (or startup) probe passes once its initial delay is over.

    An exec probe runs its command as busybox would, in the container's environment, and passes
    when that ends with 0; httpGet, tcpSocket and grpc probes against a running container pass.
    """
    if not probe:
        return True
    command = (probe.get("exec") or {}).get("command")
    if command:
        program = interpret("busybox", list(command), None, env=env, hostname=hostname)
        return not program.forever and program.exit_code == 0
    return True


def container_runtime(container: Mapping[str, Any], *, hostname: str = "") -> ContainerRuntime:
    """What one container (an entry of ``containers`` or ``initContainers``) does."""
    env = container_env(container)
    program = interpret(
        str(container.get("image") or ""), container.get("command"), container.get("args"), env=env, hostname=hostname
    )
    probes = [p for p in (container.get("startupProbe"), container.get("readinessProbe")) if p]
    delay_s = sum(float(p.get("initialDelaySeconds") or 0) for p in probes)
    ok = all(probe_passes(p, env=env, hostname=hostname) for p in probes)
    return ContainerRuntime(program, probe_ok=ok, ready_delay_s=delay_s)


# == the stamp ================================================================================
def runtime_annotation(pod_spec: Mapping[str, Any], *, hostname: str = "") -> str:
    """The ``kconform.io/runtime`` value for a pod spec (compact JSON, keys sorted: stable)."""
    containers: dict[str, Any] = {}
    for key in ("initContainers", "containers"):
        for c in pod_spec.get(key) or []:
            if isinstance(c, Mapping) and c.get("name"):
                containers[str(c["name"])] = container_runtime(c, hostname=hostname).to_json()
    return json.dumps({"version": STAMP_VERSION, "containers": containers}, sort_keys=True, separators=(",", ":"))


def _stamp_template(template: Any, *, hostname: str) -> None:
    """Annotate a pod (or pod template) in place: ``template`` has ``metadata`` and ``spec``."""
    if not isinstance(template, dict):
        return
    spec = template.get("spec")
    if not isinstance(spec, Mapping) or not spec.get("containers"):
        return
    meta = template.get("metadata")
    if not isinstance(meta, dict):
        meta = template["metadata"] = {}
    annotations = meta.get("annotations")
    if not isinstance(annotations, dict):
        annotations = meta["annotations"] = {}
    annotations[ANNOTATION] = runtime_annotation(spec, hostname=hostname)


def _pod_templates(manifest: dict[str, Any]) -> list[Any]:
    kind = manifest.get("kind")
    if kind == "Pod":
        return [manifest]
    if kind == "PodTemplate":
        return [manifest.get("template")]
    spec = manifest.get("spec")
    if not isinstance(spec, dict):
        return []
    if kind == "CronJob":
        job_spec = (spec.get("jobTemplate") or {}).get("spec")
        return [job_spec.get("template")] if isinstance(job_spec, dict) else []
    return [spec.get("template")] if "template" in spec else []


def stamp(manifest: Mapping[str, Any]) -> Manifest:
    """A copy of ``manifest`` with ``kconform.io/runtime`` on every pod template it carries.

    Pods, workloads with ``spec.template`` (Deployment, ReplicaSet, StatefulSet, DaemonSet, Job,
    ReplicationController), PodTemplates, CronJobs (``spec.jobTemplate.spec.template``) and
    ``*List`` kinds of those; anything else comes back as an unchanged copy. An existing stamp
    is replaced, so re-applying a stamped manifest is idempotent. A Pod's scripts see its host
    name; a template's pods are not named yet, and see an empty ``HOSTNAME``.
    """
    out: Manifest = copy.deepcopy(dict(manifest))
    kind = str(out.get("kind") or "")
    if kind.endswith("List") and isinstance(out.get("items"), list):
        out["items"] = [stamp(item) if isinstance(item, Mapping) else item for item in out["items"]]
        return out
    hostname = pod_hostname(out) if kind == "Pod" else ""
    for template in _pod_templates(out):
        _stamp_template(template, hostname=hostname)
    return out


__all__ = [
    "ANNOTATION",
    "FOREVER",
    "ContainerRuntime",
    "Program",
    "container_env",
    "container_runtime",
    "expand_kubernetes",
    "image_pullable",
    "interpret",
    "is_shell_image",
    "pod_hostname",
    "probe_passes",
    "run_script",
    "runtime_annotation",
    "sleep_seconds",
    "stamp",
]
