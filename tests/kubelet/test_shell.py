"""The runtime contract's shell, as a table: script → (seconds it runs, exit code, output).

Each row holds both implementations of the contract to it: the reference kubelet's interpreter
(``reference_impl/kubelet/runtime.py``) and kconform's (``kconform/upstream/runtime.py``), which
are written separately (``docs/runtime-contract.md``, "The shell"). ``FOREVER`` is a program that
runs until stopped. Outputs are busybox's messages, without its ``line N:`` part.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from kconform.upstream import runtime as kconform_runtime
from reference_impl.kubelet import runtime as reference_runtime

FOREVER = float("inf")
BUSYBOX = "busybox:1.36"
HOST = "web-0"

Interpret = Callable[..., Any]
IMPLEMENTATIONS: dict[str, Interpret] = {
    "reference": reference_runtime.interpret,
    "kconform": kconform_runtime.interpret,
}
ENVS = {"reference": reference_runtime.container_env, "kconform": kconform_runtime.container_env}


def _run(impl: str, argv: list[str], env: list[dict[str, str]] | None = None) -> tuple[float, int, tuple[str, ...]]:
    variables = ENVS[impl]({"env": env or []})
    program = IMPLEMENTATIONS[impl](BUSYBOX, argv, None, env=variables, hostname=HOST)
    return program.runs_s, program.exit_code, program.output


# script for sh -c → (runs_s, exit code, output lines)
SCRIPTS: list[tuple[str, float, int, tuple[str, ...]]] = [
    # simple commands, lists, status
    ("true", 0, 0, ()),
    ("false", 0, 1, ()),
    ("sleep 2; exit 3", 2, 3, ()),
    ("sleep 1 && sleep 2 || sleep 4", 3, 0, ()),
    ("false && exit 4 || exit 5", 0, 5, ()),
    ("false; echo $?; true; echo $?", 0, 0, ("1", "0")),
    ("nosuch; echo $?", 0, 0, ("sh: nosuch: not found", "127")),
    ("! true; echo $?; ! false", 0, 0, ("1",)),
    ("exit 300", 0, 44, ()),
    ("exit nope", 0, 2, ("sh: exit: Illegal number: nope",)),
    ("", 0, 0, ()),
    ("# only a comment", 0, 0, ()),
    ("echo a # a comment; exit 3", 0, 0, ("a",)),
    # paths of the applets the shell knows
    ("/bin/true && /usr/bin/true && /sbin/true && /usr/sbin/true", 0, 0, ()),
    ("/bin/false", 0, 1, ()),
    ("/bin/sleep 1; /usr/bin/env | /bin/cat > /dev/null", 1, 0, ()),
    ("/usr/local/bin/true", 0, 127, ("sh: /usr/local/bin/true: not found",)),
    ("./true", 0, 127, ("sh: ./true: not found",)),
    ("/bin/../bin/echo hi", 0, 0, ("hi",)),
    # quoting: separators and spaces inside quotes belong to the word
    ("echo 'a; b'  \"c  && d\"", 0, 0, ("a; b c  && d",)),
    ("echo a\\;b \\$HOME", 0, 0, ("a;b $HOME",)),
    ("echo \"$HOME\"'$HOME'", 0, 0, ("/root$HOME",)),
    ("echo 'unterminated", 0, 2, ("sh: syntax error: unterminated quoted string",)),
    ("echo ok\necho 'unterminated", 0, 2, ("ok", "sh: syntax error: unterminated quoted string")),
    # variables and expansions
    ("x=1; y=\"$x $x\"; echo \"$y\" ${x}2", 0, 0, ("1 1 12",)),
    ("echo ${unset:-default} ${HOME:+set} [${unset}]", 0, 0, ("default set []",)),
    ("echo ${x:=7}; echo $x", 0, 0, ("7", "7")),
    ("echo ${x:?is missing}", 0, 2, ("sh: x: is missing",)),
    ("v=/a/b/c.tar.gz; echo ${v##*/} ${v#*/} ${v%.*} ${v%%.*} ${#v}", 0, 0, ("c.tar.gz a/b/c.tar.gz /a/b/c.tar /a/b/c 13",)),
    ("echo $HOSTNAME $HOME $KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT", 0, 0, ("web-0 /root 10.96.0.1:443",)),
    ("x='  a   b  '; for w in $x; do echo \"[$w]\"; done; echo \"[$x]\"", 0, 0, ("[a]", "[b]", "[  a   b  ]")),
    ("IFS=:; set -- $PATH; echo $# $1", 0, 0, ("6 /usr/local/sbin",)),
    ("echo $(echo inner; exit 3) $?", 0, 0, ("inner 3",)),
    ("x=`echo back`; echo $x", 0, 0, ("back",)),
    ("x=$(sleep 2; echo late); echo $x", 2, 0, ("late",)),
    ("echo $((1 + 2 * 3)) $((7 / 2)) $((-7 / 2)) $((-7 % 3)) $((1 << 4)) $((2 ** 10))", 0, 0, ("7 3 -3 -1 16 1024",)),
    ("i=5; echo $((i > 3 ? i * 2 : 0)) $((i += 1)) $i $((!i)) $((~0))", 0, 0, ("10 6 6 0 -1",)),
    ("echo $((9223372036854775807 + 1))", 0, 0, ("-9223372036854775808",)),
    ("echo $((1 / 0))", 0, 2, ("sh: divide by zero",)),
    ("echo $((1 +))", 0, 2, ("sh: arithmetic syntax error",)),
    ("echo ${x:1}", 0, 2, ("sh: syntax error: bad substitution",)),
    ("set -u; echo $nothing", 0, 2, ("sh: nothing: parameter not set",)),
    ("echo ~ ~/x ~root a~", 0, 0, ("/root /root/x /root a~",)),
    ("echo $$ $# $0", 0, 0, ("$ 0 sh",)),  # the kubelet made $$ one $ before the shell ran
    # test and [
    ("[ -f /etc/hosts ] && [ -d /tmp ] && [ -e /dev/null ] && [ -c /dev/null ] && [ -x /bin/sh ]", 0, 0, ()),
    ("[ -e /nope ]", 0, 1, ()),
    ("[ -s /etc/hosts ] && [ ! -s /dev/termination-log ]", 0, 0, ()),
    ("[ abc = abc ] && [ abc != abd ] && [ -n x ] && [ -z '' ] && [ x ] && ! [ '' ]", 0, 0, ()),
    ("[ 3 -lt 10 ] && [ 10 -ge 10 ] && [ -1 -ne 1 ] && test 2 -gt 1 -a 1 -eq 1 -o 0 -eq 1", 0, 0, ()),
    ("[ 1 -lt abc ]", 0, 2, ("sh: abc: bad number",)),
    ("[ a = ]", 0, 2, ("sh: =: argument expected",)),
    ("[ a b ]", 0, 2, ("sh: b: unknown operand",)),
    ("[ -f /etc/hosts", 0, 2, ("sh: missing ]",)),
    ("[[ a == a ]] && [ \\( a \\) ]", 0, 0, ()),
    # if, loops, case
    ("if false; then exit 1; elif [ -d / ]; then exit 2; else exit 3; fi", 0, 2, ()),
    ("if false; then exit 1; fi; echo $?", 0, 0, ("0",)),
    ("i=0; while [ $i -lt 3 ]; do i=$((i+1)); sleep 1; done; echo $i", 3, 0, ("3",)),
    ("i=0; until [ $i -ge 2 ]; do i=$((i+1)); done; echo $i", 0, 0, ("2",)),
    ("for x in a 'b c' d; do echo $x; done", 0, 0, ("a", "b c", "d")),
    ("for i in $(seq 1 3); do sleep 0.5; done", 1.5, 0, ()),
    ("for i in 1 2 3; do [ $i = 2 ] && continue; [ $i = 3 ] && break; echo $i; done", 0, 0, ("1",)),
    ("while true; do while true; do break 2; done; done; echo out", 0, 0, ("out",)),
    ("case web-0 in db-*) exit 1;; web-[0-9]|api) exit 2;; *) exit 3;; esac", 0, 2, ()),
    ("case x in (y) echo y;; esac; echo $?", 0, 0, ("0",)),
    ("while true; do sleep 1; done", FOREVER, 0, ()),
    ("while :; do :; done", FOREVER, 0, ()),
    ("while true; do echo tick; sleep 1; done", FOREVER, 0, ("tick",)),
    ("until false; do sleep 10; done", FOREVER, 0, ()),
    ("sleep 1; while [ ! -f /tmp/ready ]; do sleep 1; done", FOREVER, 0, ()),
    ("i=0; while true; do i=$((i+1)); done", FOREVER, 0, ()),
    ("i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done; exit 1", FOREVER, 0, ()),
    ("i=0; while [ $i -lt 2000 ]; do i=$((i+1)); done; exit 9", 0, 9, ()),
    ("if true; then", 0, 2, ('sh: syntax error: unexpected end of file (expecting "fi")',)),
    ("if then fi", 0, 2, ('sh: syntax error: unexpected "then"',)),
    ("(echo a", 0, 2, ('sh: syntax error: unexpected end of file (expecting ")")',)),
    ("while true; done", 0, 2, ('sh: syntax error: unexpected "done" (expecting "do")',)),
    ("fi", 0, 2, ('sh: syntax error: unexpected "fi"',)),
    ("echo a; then", 0, 2, ('sh: syntax error: unexpected "then"',)),
    ("f() { :; }", 0, 2, ('sh: syntax error: unexpected "("',)),
    ("cat <<EOF", 0, 2, ("sh: syntax error: here-documents are outside the runtime contract",)),
    # groups, subshells, pipelines, background jobs
    ("{ echo a; false; }; echo $?", 0, 0, ("a", "1")),
    ("(x=1; exit 4); echo $? [$x]", 0, 0, ("4 []",)),
    ("echo hello | cat", 0, 0, ("hello",)),
    ("sleep 3 | sleep 1", 3, 0, ()),
    ("false | true; echo $?; set -o pipefail; false | true; echo $?", 0, 0, ("0", "1")),
    ("sleep 2 & sleep 1; wait; echo done", 2, 0, ("done",)),
    ("sleep 5 & exit 3", 0, 3, ()),
    ("sleep infinity & wait", FOREVER, 0, ()),
    ("false & wait $!; echo $?", 0, 0, ("1",)),
    ("echo hi | read x; echo [$x]", 0, 0, ("[]",)),
    ("printf 'a b\\nc\\n' > /tmp/f; while read x y; do echo $y-$x; done < /tmp/f", 0, 0, ("b-a", "-c")),
    # redirections and the container's files
    ("echo one > /tmp/f; echo two >> /tmp/f; cat /tmp/f", 0, 0, ("one", "two")),
    ("cat /nope; echo $?", 0, 0, ("cat: can't open '/nope': No such file or directory", "1")),
    ("cat /tmp", 0, 1, ("cat: read error: Is a directory",)),
    ("cat /etc/hostname", 0, 0, ("web-0",)),
    ("cat < /nope", 0, 1, ("sh: can't open /nope: No such file or directory",)),
    ("echo x > /nope/f", 0, 1, ("sh: can't create /nope/f: No such file or directory",)),
    ("nosuch 2>/dev/null; echo $?", 0, 0, ("127",)),
    ("echo err >&2; echo out > /dev/stdout", 0, 0, ("err", "out")),
    ("exec > /dev/null; echo hidden; exit 6", 0, 6, ()),
    ("touch /tmp/a; mkdir -p /tmp/d/e; ls /tmp; rm /tmp/a; ls /tmp", 0, 0, ("a", "d", "d")),
    ("rm /tmp/none; rm -f /tmp/none; mkdir /tmp; rm /tmp", 0, 1,
     ("rm: can't remove '/tmp/none': No such file or directory", "mkdir: can't create directory '/tmp': File exists",
      "rm: '/tmp' is a directory")),
    ("cd /tmp && touch x && [ -f /tmp/x ] && pwd; cd /nope", 0, 2, ("/tmp", "sh: cd: can't cd to /nope: No such file or directory")),
    # applets and builtins
    ("echo -n a; echo b; echo -e 'c\\td'; echo -e 'e\\cf'", 0, 0, ("ab", "c\td", "e")),
    ("printf '%s=%d\\n' a 1 b 2; printf '%5.1f|%-3s|%x|%o\\n' 3.14159 z 255 8", 0, 0, ("a=1", "b=2", "  3.1|z  |ff|10")),
    ("printf '%d\\n' abc", 0, 1, ("sh: invalid number 'abc'", "0")),  # a builtin: the shell's name
    ("seq 3; seq 2 4; seq 10 -5 1", 0, 0, ("1", "2", "3", "2", "3", "4", "10", "5")),
    ("hostname; hostname other", 0, 1, ("web-0", "hostname: sethostname: Operation not permitted")),
    ("FOO=bar env | grep FOO", 0, 127, ("sh: grep: not found",)),
    ("FOO=bar printenv FOO; printenv FOO; echo $?", 0, 0, ("bar", "1")),
    ("export X=1; sh -c 'echo $X'; Y=2; sh -c 'echo [$Y]'", 0, 0, ("1", "[]")),
    ("sh -c 'sleep 2; exit 7'; echo $?", 2, 0, ("7",)),
    ("eval 'x=3; echo $x'", 0, 0, ("3",)),
    ("set -- a b c; shift; echo $# $1 $@", 0, 0, ("2 b b c",)),
    ("set -e; true; false; echo unreachable", 0, 1, ()),
    ("set -e; false || true; if false; then :; fi; ! true; false && true; echo survives", 0, 0, ("survives",)),
    ("trap 'echo bye' EXIT; exit 4", 0, 4, ("bye",)),
    ("trap 'exit 0' BOGUS", 0, 2, ("sh: trap: BOGUS: bad trap",)),
    ("exec sleep 2", 2, 0, ()),
    ("exec nosuch", 0, 127, ("sh: exec: nosuch: not found",)),
    ("break; continue; echo fine", 0, 0, ("fine",)),
    ("sleep abc; sleep -5; sleep 1m", 60, 0, ()),
    ("sleep infinity; exit 1", FOREVER, 0, ()),
    # the kubelet's $(VAR): $$ is one $, an unknown $(...) is left for the shell
    ("echo $$", 0, 0, ("$",)),
    ("echo $(CODE)", 0, 0, ("5",)),
    ("echo $(hostname)", 0, 0, ("web-0",)),
]


@pytest.mark.parametrize("impl", sorted(IMPLEMENTATIONS))
@pytest.mark.parametrize(("script", "runs_s", "exit_code", "output"), SCRIPTS, ids=[row[0][:60] for row in SCRIPTS])
def test_script(impl: str, script: str, runs_s: float, exit_code: int, output: tuple[str, ...]) -> None:
    got = _run(impl, ["sh", "-c", script], env=[{"name": "CODE", "value": "5"}])
    assert got == (runs_s, exit_code, output)


# a container's argv (no shell around it) → (runs_s, exit code, output)
ARGVS: list[tuple[list[str], float, int, tuple[str, ...]]] = [
    (["/bin/true"], 0, 0, ()),
    (["/bin/false"], 0, 1, ()),
    (["/bin/sleep", "3"], 3, 0, ()),
    (["cat", "/nope"], 0, 1, ("cat: can't open '/nope': No such file or directory",)),
    (["/bin/sh", "-c", "exit $1", "name", "4"], 0, 4, ()),
    (["sh", "-c", "echo $0 $#", "zero", "a", "b"], 0, 0, ("zero 2",)),
    (["/bin/sh", "-c", "nosuch"], 0, 127, ("/bin/sh: nosuch: not found",)),
    (["sh", "-ec", "false; echo no"], 0, 1, ()),
    (["sh", "-c"], 0, 2, ("sh: -c requires an argument",)),
    (["sh"], 0, 0, ()),
    (["sh", "/script.sh"], 0, 2, ("sh: can't open '/script.sh': No such file or directory",)),
    (["[", "-d", "/tmp", "]"], 0, 0, ()),
    (["test", "-f"], 0, 0, ()),
    (["[", "x"], 0, 2, ("[: missing ]",)),
    (["echo", "$HOME", "$(CODE)"], 0, 0, ("$HOME 5",)),
    (["env", "-i", "A=1", "printenv"], 0, 0, ("A=1",)),
    (["env", "exit", "3"], 0, 127, ("env: can't execute 'exit': No such file or directory",)),
    (["exit", "3"], 0, 3, ()),
    (["nginx"], 0, 127, ("exec nginx: not found",)),
    (["/usr/local/bin/app"], 0, 127, ("exec /usr/local/bin/app: not found",)),
]


@pytest.mark.parametrize("impl", sorted(IMPLEMENTATIONS))
@pytest.mark.parametrize(("argv", "runs_s", "exit_code", "output"), ARGVS, ids=[" ".join(row[0]) for row in ARGVS])
def test_argv(impl: str, argv: list[str], runs_s: float, exit_code: int, output: tuple[str, ...]) -> None:
    assert _run(impl, argv, env=[{"name": "CODE", "value": "5"}]) == (runs_s, exit_code, output)


@pytest.mark.parametrize("impl", sorted(IMPLEMENTATIONS))
@pytest.mark.parametrize(
    ("argv", "ignores"),
    [
        (["sh", "-c", "while true; do sleep 1; done"], True),  # a shell as PID 1 has no SIGTERM handler
        (["sleep", "3600"], True),
        (["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"], False),
        (["sh", "-c", "trap exit SIGTERM; sleep 3600"], False),
        (["sh", "-c", "trap '' TERM; sleep 3600"], True),
        (["sh", "-c", "trap 'echo got it' 15; sleep 3600"], True),  # the trap does not exit
        (["sh", "-c", "trap 'exit 0' TERM; exec sleep 3600"], True),  # sleep is PID 1 now
        (["sh", "-c", "trap 'exit 0' TERM; sh -c 'sleep 3600'"], False),  # the child gets no SIGTERM
        (["sh", "-c", "exec sh -c \"trap 'exit 0' TERM; sleep 3600\""], False),
    ],
)
def test_sigterm(impl: str, argv: list[str], ignores: bool) -> None:
    assert IMPLEMENTATIONS[impl](BUSYBOX, argv, None).ignores_sigterm is ignores


@pytest.mark.parametrize("impl", sorted(IMPLEMENTATIONS))
def test_environment_and_env_output(impl: str) -> None:
    env = [{"name": "A", "value": "1"}, {"name": "B", "value": "$(A)-$(MISSING)"}, {"name": "POD", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}]
    _, code, output = _run(impl, ["env"], env=env)
    assert code == 0
    assert output[:2] == ("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOSTNAME=web-0")
    assert output[-3:] == ("A=1", "B=1-$(MISSING)", "HOME=/root")  # valueFrom is left out
    assert "KUBERNETES_PORT_443_TCP=tcp://10.96.0.1:443" in output


@pytest.mark.parametrize("impl", sorted(IMPLEMENTATIONS))
def test_bounds(impl: str) -> None:
    """A script must not hang or exhaust the interpreter: past a bound it runs until stopped."""
    for script in (
        "x=a; while true; do x=$x$x; done",  # a word past TEXT_LIMIT
        "y='eval \"$y\"'; eval \"$y\"",  # nesting past DEPTH_LIMIT
        "seq 1 100000000000",  # more lines than steps
        "while true; do sleep 1 & done",  # jobs past JOBS_LIMIT
        "while true; do echo x >> /tmp/log; done",  # a file past TEXT_LIMIT
        "printf '%99999s'",
    ):
        assert _run(impl, ["sh", "-c", script])[0] == FOREVER, script
    _, _, output = _run(impl, ["sh", "-c", "for i in $(seq 1 2000); do echo $i; done"])
    assert len(output) == 1000 and output[-1] == "1000"  # the log keeps the first 1000 lines


@pytest.mark.parametrize("impl", sorted(IMPLEMENTATIONS))
def test_probe(impl: str) -> None:
    probe = reference_runtime.probe_succeeds if impl == "reference" else kconform_runtime.probe_passes
    env = ENVS[impl]({"env": [{"name": "READY", "value": "yes"}]})
    assert probe({"exec": {"command": ["sh", "-c", '[ "$READY" = yes ]']}}, env=env)
    assert not probe({"exec": {"command": ["sh", "-c", '[ "$READY" = yes ]']}})
    assert probe({"exec": {"command": ["/bin/true"]}})
    assert not probe({"exec": {"command": ["cat", "/tmp/healthy"]}})  # a file the probe's container lacks
