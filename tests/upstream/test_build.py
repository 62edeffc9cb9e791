"""The build's pure parts: versions, the wrapper module, ldflags, the done-marker; and the CLI's no-Go line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kconform.errors import InvalidArgument
from kconform.upstream import build
from kconform.upstream.versions import DEFAULT_RELEASE, Release, release_for, staging_version

K8S_GO_MOD = """module k8s.io/kubernetes

go 1.26.0

require (
	go.etcd.io/etcd/client/v3 v3.6.8
	k8s.io/api v0.0.0
	k8s.io/client-go v0.0.0
)

replace (
	k8s.io/api => ./staging/src/k8s.io/api
	k8s.io/client-go => ./staging/src/k8s.io/client-go // comment
	k8s.io/sample-apiserver => ./staging/src/k8s.io/sample-apiserver
	github.com/x/y => github.com/x/y v1.2.3
)
"""

ETCD_GO_MOD = """module go.etcd.io/etcd/server/v3

require go.etcd.io/etcd/api/v3 v3.6.8

replace (
	go.etcd.io/etcd/api/v3 => ../api
)
replace go.etcd.io/etcd => ./FORBIDDEN_DEPENDENCY
"""


def test_staging_modules_are_tagged_v0_of_the_release() -> None:
    assert staging_version("v1.36.3") == "v0.36.3"
    assert staging_version("v1.38.0-beta.0") == "v0.38.0-beta.0"
    with pytest.raises(InvalidArgument, match=r"v1\.MINOR\.PATCH"):
        staging_version("v2.0.1")


def test_release_for_a_version_leaves_etcd_to_its_go_mod() -> None:
    assert release_for(None) == DEFAULT_RELEASE
    assert release_for(DEFAULT_RELEASE.kubernetes.lstrip("v")) == DEFAULT_RELEASE
    other = release_for("1.35.4")
    assert other == Release(kubernetes="v1.35.4", etcd="", kwok=DEFAULT_RELEASE.kwok)


def test_local_replaces_are_the_relative_ones() -> None:
    assert build.local_replaces(K8S_GO_MOD) == ["k8s.io/api", "k8s.io/client-go", "k8s.io/sample-apiserver"]
    assert build.local_replaces(ETCD_GO_MOD) == ["go.etcd.io/etcd", "go.etcd.io/etcd/api/v3"]
    assert build.required_version(K8S_GO_MOD, "go.etcd.io/etcd/client/v3") == "v3.6.8"
    assert build.required_version(ETCD_GO_MOD, "go.etcd.io/etcd") is None


def test_the_wrapper_module_pins_each_replaced_module() -> None:
    text = build.wrapper_go_mod("k8s.io/kubernetes", "v1.36.3", {"k8s.io/api": "v0.36.3"}, "1.26.0")
    assert "require k8s.io/kubernetes v1.36.3" in text
    assert "replace k8s.io/api => k8s.io/api v0.36.3" in text
    assert "go 1.26.0" in text


def test_kubernetes_binaries_are_stamped_with_their_version() -> None:
    apiserver = next(b for b in build.BINARIES if b.name == "kube-apiserver")
    flags = build.ldflags(apiserver, DEFAULT_RELEASE)
    assert f"k8s.io/component-base/version.gitVersion={DEFAULT_RELEASE.kubernetes}" in flags
    assert "gitMinor=36" in flags
    etcd = next(b for b in build.BINARIES if b.name == "etcd")
    assert build.ldflags(etcd, DEFAULT_RELEASE) == "-s -w"
    assert etcd.version(DEFAULT_RELEASE) == DEFAULT_RELEASE.etcd


def test_a_build_counts_only_when_every_binary_and_the_marker_are_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KCONFORM_UPSTREAM_DIR", str(tmp_path))
    root = build.release_dir(DEFAULT_RELEASE)
    assert root == tmp_path / DEFAULT_RELEASE.kubernetes
    (root / "bin").mkdir(parents=True)
    for name in build.BINARY_NAMES:
        p = root / "bin" / name
        p.write_text("#!/bin/sh\n")
        p.chmod(0o755)
    assert build.built(DEFAULT_RELEASE) is None  # no marker: a half-finished build
    (root / build.MARKER).write_text(json.dumps({"kubernetes": DEFAULT_RELEASE.kubernetes}))
    found = build.built(DEFAULT_RELEASE)
    assert found is not None and set(found) == set(build.BINARY_NAMES)
    (root / "bin" / "kwok").unlink()
    assert build.built(DEFAULT_RELEASE) is None


def test_without_go_the_build_says_what_to_install_in_one_line(tmp_path: Path) -> None:
    env = dict(os.environ, PATH=str(tmp_path), KCONFORM_UPSTREAM_DIR=str(tmp_path / "cache"))
    done = subprocess.run(
        [sys.executable, "-m", "kconform.cli", "upstream", "build"], env=env, capture_output=True, text=True,
        timeout=60, check=False,
    )
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "install Go" in lines[0], done.stderr


def test_the_conformance_suite_has_its_own_marker_so_each_set_stands_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KCONFORM_UPSTREAM_DIR", str(tmp_path))
    root = build.release_dir(DEFAULT_RELEASE)
    (root / "bin").mkdir(parents=True)
    for b in build.CONFORMANCE_BINARIES:
        p = root / "bin" / b.name
        p.write_text("#!/bin/sh\n")
        p.chmod(0o755)
    (root / build.CONFORMANCE_MARKER).write_text(json.dumps({"kubernetes": DEFAULT_RELEASE.kubernetes}))
    found = build.built(DEFAULT_RELEASE, binaries=build.CONFORMANCE_BINARIES, marker=build.CONFORMANCE_MARKER)
    assert found is not None and set(found) == {"e2e.test", "ginkgo", "kubectl"}
    assert build.built(DEFAULT_RELEASE) is None  # the control plane is not built by the suite's build
    e2e = next(b for b in build.CONFORMANCE_BINARIES if b.name == "e2e.test")
    assert e2e.test and e2e.package == "k8s.io/kubernetes/test/e2e"
