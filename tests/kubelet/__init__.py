"""Unit tests of the reference kubelet: its simulated runtime's shell (``test_shell``) and the
pod statuses it writes (``test_kubelet_status``)."""
