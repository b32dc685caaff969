"""The form run headless in a real kernel (nbclient, widget state stored, as nbconvert
--execute and papermill do): the saved notebook never holds a pre-shared key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vpnkit.emulator import serve

TYPED = "Typed-PSK-7f3a9c-never-saved"

CELLS = [
    """\
import os, vpnkit
from vpnkit.emulator import DEMO_CREDENTIAL
client = vpnkit.VpcClient("ap-guangzhou", endpoint=os.environ["VPNKIT_EMU_URL"],
                          credential=DEMO_CREDENTIAL)
f = vpnkit.form(client, poll_interval=0.05, wait_timeout=10)
f""",
    """\
f.targets.select(vpn_gateway_id="vpngw-demo0001", customer_gateway_id="cgw-demo0001")
f.basics.name.value = "nb-typed"
f.basics.key.entry.value = os.environ["TYPED_KEY"]  # as the browser syncs a typed key
f.load_spd("10.0.1.0/24 -> 192.168.0.0/24")
conn = f.submit()
assert conn is not None, f.issues
f.basics.key.entry.value""",
    """\
g = vpnkit.form(client)
g.load(client.describe_vpn_connections([conn.vpn_connection_id])[0])  # clone: key kept
g""",
    """\
f.basics.key.generate.click()
f.basics.name.value = "nb-generated"
f.load_spd("10.0.2.0/24 -> 192.168.2.0/24")
assert f.submit() is not None
with open(os.environ["GENERATED_KEY_FILE"], "w") as fh:  # for the test only, not the notebook
    fh.write(f.basics.key.reveal())
f.basics.key.state.value""",
]


def test_executed_notebook_and_widget_state_hold_no_key(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Typed, cloned and generated keys appear nowhere in the saved notebook or its state."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(c) for c in CELLS]
    generated_file = tmp_path / "generated.txt"
    with serve(seed="demo", create_delay=0.1) as emu:
        monkeypatch.setenv("VPNKIT_EMU_URL", emu.url)
        monkeypatch.setenv("GENERATED_KEY_FILE", str(generated_file))
        monkeypatch.setenv("TYPED_KEY", TYPED)
        NotebookClient(nb, timeout=120, kernel_name="python3", store_widget_state=True,
                       resources={"metadata": {"path": str(tmp_path)}}).execute()
    out = tmp_path / "executed.ipynb"
    nbformat.write(nb, out)
    text = out.read_text()
    generated = generated_file.read_text()
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    assert len(state) > 100  # the widget state really was stored
    assert "key set (kept from tunnel)" in text and "key set (generated)" in text
    assert len(generated) == 32
    assert TYPED not in text and generated not in text
    passwords = [m["state"] for m in state.values() if m["model_name"] == "PasswordModel"]
    assert passwords and all(p["value"] == "" for p in passwords)
    assert "".join(json.loads(text)["cells"][1]["outputs"][0]["data"]["text/plain"]) == "''"
