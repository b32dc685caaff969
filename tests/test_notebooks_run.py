"""Each runbook runs top to bottom on its own, against its own fresh emulator (nbclient).

``make test`` also runs them as one sequence (``pytest notebooks --nbval-lax``, one emulator
for all, started by ``notebooks/conftest.py``), where 01 creates, 02 adds a batch, 03 audits
and 04 cleans up. Here each notebook starts from nothing: its kernel has no
``VPNKIT_ENDPOINT`` and no credentials, so ``vpnkit.connect()`` embeds a fresh emulator in that
kernel, exactly as on a newcomer's machine. Nothing is saved back; the executed copy is
checked for errors, for the emulator banner, for unmasked keys and for the real audit
log staying untouched.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))


#: appended to 03 when it runs here (not saved): its plots and times are readable
READABLE_PLOTS = """
import matplotlib.pyplot as plt
from matplotlib.ticker import PercentFormatter

axes = [ax for n in plt.get_fignums() for ax in plt.figure(n).axes]
assert axes, "03 draws its plots"
for ax in axes:
    legend = ax.get_legend()
    if legend is not None:  # a legend must not cover a bar
        box = legend.get_window_extent()
        assert not any(box.overlaps(bar.get_window_extent()) for bar in ax.patches)
    label = ax.get_xlabel()
    if isinstance(ax.xaxis.get_major_formatter(), PercentFormatter):
        continue  # usage, in percent
    assert "tunnels" in label or "count" in label, label
    ticks = [t for t in ax.get_xticks() if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]]
    assert all(float(t).is_integer() for t in ticks), ticks  # counts: whole-number ticks
assert any(isinstance(ax.xaxis.get_major_formatter(), PercentFormatter) for ax in axes)
assert str(tunnels["created_time"].dt.tz) == "UTC" == str(calls["started_at"].dt.tz)
"""


@pytest.fixture
def fresh_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The kernel's environment: no endpoint, no credentials, a private HOME and logs."""
    for name in list(os.environ):
        if name.startswith(("TENCENTCLOUD_", "TCCLI_", "VPNKIT_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("VPNKIT_CREATE_DELAY", "0.2")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    return tmp_path


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name[:2])
def test_runbook_runs_alone_on_a_fresh_emulator(path: Path, fresh_env: Path) -> None:
    """The runbook runs top to bottom with no other runbook before it, offline."""
    nb = nbformat.read(path, as_version=4)
    if path.name.startswith("03"):
        nb.cells.append(nbformat.v4.new_code_cell(READABLE_PLOTS))
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(fresh_env)}})
    client.execute()  # raises CellExecutionError naming the failing cell
    outputs = json.dumps([c.get("outputs", []) for c in nb.cells])
    assert "EMULATOR" in outputs  # the banner: it ran on the embedded emulator
    assert "REAL TENCENT CLOUD ACCOUNT" not in outputs
    if path.name[:2] in ("01", "02", "03", "04"):  # one time zone shown: UTC, as audited
        assert "+08:00" not in outputs
    assert not re.search(r'PreShareKey\\*"\s*:\s*\\*"[^*"\\]', outputs)  # keys masked
    rehearsal = fresh_env / "data" / "vpnkit"
    assert not (rehearsal / "audit.sqlite3").exists()  # the real audit log was not touched


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if p.name[:2] in ("01", "02", "04")],
                         ids=lambda p: p.name[:2])
def test_run_all_off_the_emulator_stops_at_the_confirmation(path: Path, fresh_env: Path,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    """With account keys configured (so the mode is not the emulator's rehearsal), Run All
    stops at the confirmation phrase: no tunnel is created or deleted. The "account" here is
    a loopback emulator accepting those keys (the real endpoint is never contacted)."""
    from vpnkit.emulator import serve

    with serve(seed="demo", create_delay=0.05, secret_id="AKIDnotebookTest0001",
               secret_key="notebook-test-secret-0001") as emu:
        for i, var in enumerate(("VPNKIT_PSK_PROD", "VPNKIT_PSK_DEV", "VPNKIT_PSK_CCN")):
            monkeypatch.setenv(var, f"rehearsal-key-000{i}")  # keys set, as on an account
        if path.name.startswith("04"):  # something for the cleanup to (not) delete
            from vpnkit import VpcClient
            from vpnkit.batch import create_many

            seed = VpcClient("ap-guangzhou", endpoint=emu.url, credential=emu.credential)
            create_many(seed, Path(__file__).resolve().parents[1] / "vpnkit" / "samples" /
                        "branches.csv", progress=False, state=fresh_env / "j.sqlite3")
        before = sorted(emu.backend.dump()["regions"]["ap-guangzhou"]["vpn_connections"])
        monkeypatch.setenv("VPNKIT_ENDPOINT", emu.url)
        monkeypatch.setenv("TENCENTCLOUD_SECRET_ID", "AKIDnotebookTest0001")
        monkeypatch.setenv("TENCENTCLOUD_SECRET_KEY", "notebook-test-secret-0001")
        nb = nbformat.read(path, as_version=4)
        client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                         resources={"metadata": {"path": str(fresh_env)}})
        with pytest.raises(nbclient.exceptions.CellExecutionError, match="not confirmed"):
            client.execute()
        after = sorted(emu.backend.dump()["regions"]["ap-guangzhou"]["vpn_connections"])
    assert after == before
    assert "EMULATOR" not in json.dumps([c.get("outputs", []) for c in nb.cells])
