"""Tests of the real control plane's pieces (:mod:`kconform.upstream`) and of the upstream backend.

Among them ``test_runtime_contract``: the runtime contract's cases
(``kconform/upstream/runtime_contract.yaml``) on the reference and on kconform's kwok stages
under a simulated clock (:mod:`tests.upstream.kwoksim`, built from ``stagesim/``), and the stage
files; ``test_runtime``: kconform's interpreter (:mod:`kconform.upstream.runtime`) held to the
data file and to the reference kubelet's.
"""
