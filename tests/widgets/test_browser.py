"""The widget form driven in a real JupyterLab in headless Chromium (Playwright, no download).

The test starts an emulator, generates a notebook into tmp_path that connects to it (env
``VPNKIT_EMU_URL``) and displays ``vpnkit.form(client)``, serves it with JupyterLab, then
uses the form as an analyst would. Approach and pitfalls: shared/recipes/browser-widgets.
Screenshots go to ``$ARTIFACTS_DIR`` (default ``artifacts/``).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from vpnkit import VpcClient, options
from vpnkit.emulator import Emulator, serve

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("ARTIFACTS_DIR", "artifacts")).resolve()
VENV_BIN = Path(sys.executable).parent
TOKEN = "vpnkit-e2e-token"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
UI_TIMEOUT = 60_000
NAME = "browser-gz-hq"

NOTEBOOK_CODE = """\
import os
import vpnkit
from vpnkit.emulator import DEMO_CREDENTIAL
client = vpnkit.VpcClient("ap-guangzhou", endpoint=os.environ["VPNKIT_EMU_URL"],
                          credential=DEMO_CREDENTIAL)
f = vpnkit.form(client, poll_interval=0.1, wait_timeout=20)
f"""


def _need_chromium() -> None:
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing on CI: install Debian's chromium")
        pytest.skip(f"{CHROMIUM} is not installed")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def _lab(workdir: Path, emu_url: str) -> Iterator[str]:
    """JupyterLab on a free port serving ``workdir``; SIGTERM afterwards (kernels stop too)."""
    port = _free_port()
    settings = workdir / ".lab-settings"
    notif = settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    notif.parent.mkdir(parents=True)
    notif.write_text('{"fetchNews": "false", "checkForUpdates": false}')
    cmd = [str(VENV_BIN / "jupyter"), "lab", "--allow-root", "--no-browser",
           "--ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
           f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={workdir}",
           f"--LabApp.workspaces_dir={workdir / '.lab-workspaces'}",
           f"--LabApp.user_settings_dir={settings}", "--LabApp.news_url=None",
           "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
           "--LabApp.extension_manager=readonly"]
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(workdir / ".runtime"),
               VPNKIT_EMU_URL=emu_url)
    base = f"http://127.0.0.1:{port}"
    log_path = ARTIFACTS / "jupyterlab-form.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(cmd, cwd=workdir, env=env, stdout=log,
                                stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while True:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"JupyterLab did not start:\n{log_path.read_text()}")
                try:
                    urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=2).close()
                    break
                except urllib.error.HTTPError:
                    break
                except OSError:
                    time.sleep(0.25)
            yield base
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with serve(create_delay=0.2) as emu:
        yield emu


@pytest.fixture
def lab(tmp_path: Path, emulator: Emulator) -> Iterator[str]:
    _need_chromium()
    import nbformat

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    nb = nbformat.v4.new_notebook()
    # Without a kernelspec JupyterLab opens a "Select Kernel" dialog instead of starting one.
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                 "language": "python"}
    nb.cells.append(nbformat.v4.new_code_cell(NOTEBOOK_CODE))
    nbformat.write(nb, tmp_path / "form.ipynb")
    with _lab(tmp_path, emulator.url) as base:
        yield base


@pytest.fixture
def page(lab: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        ctx = browser.new_context(viewport={"width": 1400, "height": 2300})  # whole form fits
        pg = ctx.new_page()
        pg.set_default_timeout(UI_TIMEOUT)
        expect.set_options(timeout=UI_TIMEOUT)
        failed = request.session.testsfailed
        yield pg
        if request.session.testsfailed > failed:
            pg.screenshot(path=str(ARTIFACTS / "FAILED-widget-form.png"))
        ctx.close()
        browser.close()


def _field(page: Any, kind: str, label: str) -> Any:
    """The input/select of an ipywidget whose description is exactly ``label``."""
    tag = "select" if kind == "dropdown" else "input"
    return page.locator(f".widget-{kind}:has(label.widget-label:text-is('{label}')) {tag}")


def test_form_in_jupyterlab(lab: str, page: Any, emulator: Emulator) -> None:
    """Pick targets, fill SPD, change IKE, see a bad-CIDR message, fix it, submit, see the row."""
    from playwright.sync_api import expect

    t0 = time.monotonic()
    page.goto(f"{lab}/lab/tree/form.ipynb?token={TOKEN}&reset")
    page.locator("#jp-main-statusbar", has_text="| Idle").wait_for()
    page.locator("li.lm-MenuBar-item", has_text="Run").click()
    page.locator("li.lm-Menu-item[data-command='runmenu:run-all']").click()
    expect(page.locator(".jp-InputPrompt").first).not_to_have_text("[ ]:", timeout=10_000)
    form = page.locator(".vpnkit-form")
    form.wait_for()

    _field(page, "dropdown", "VPN gateway").select_option(index=1)
    _field(page, "dropdown", "Customer gateway").select_option(index=1)
    _field(page, "text", "Tunnel name").fill(NAME)
    page.locator("button", has_text="Generate strong key").click()
    page.locator(".vpnkit-spd-local input").nth(0).fill("10.0.1.0/24")
    page.locator(".vpnkit-spd-remote input").nth(0).fill("192.168.0.0/24, 192.168.1.0/24")
    page.locator("button", has_text="Add row").click()
    _field(page, "dropdown", options.get("ike", "dh_group").label).select_option("GROUP14")

    bad = page.locator(".vpnkit-spd-local").nth(1)
    bad.locator("input").fill("10.0.2.1/24")
    page.locator(".vpnkit-spd-remote input").nth(1).fill("192.168.2.0/24")
    expect(page.locator(".vpnkit-spd-msg").nth(1)).to_contain_text("did you mean 10.0.2.0/24")
    expect(bad).to_have_class(_re("vpnkit-bad"))
    expect(page.locator(".vpnkit-issues")).to_contain_text(
        "security_policy_databases[1].local_cidr_block")
    submit = page.locator("button.mod-primary", has_text="Submit")
    expect(submit).to_be_disabled()
    page.screenshot(path=str(ARTIFACTS / "widget-form-invalid.png"))

    bad.locator("input").fill("10.0.2.0/24")
    expect(page.locator(".vpnkit-spd-msg").nth(1)).to_have_text("")
    expect(page.locator(".vpnkit-form")).to_contain_text("No problems found")
    expect(submit).to_be_enabled()
    submit.click()
    result = page.locator(".vpnkit-result table.dataframe").first
    expect(result).to_contain_text(NAME, timeout=30_000)
    expect(result).to_contain_text("vpnx-")
    expect(result).to_contain_text("AVAILABLE")
    page.screenshot(path=str(ARTIFACTS / "widget-form.png"))

    client = VpcClient("ap-guangzhou", endpoint=emulator.url, credential=emulator.credential)
    conn = client.find_vpn_connection("vpngw-demo0001", NAME)
    assert conn is not None and conn.ike_options is not None
    assert conn.ike_options.dh_group == "GROUP14"
    assert [r.local_cidr_block for r in conn.security_policy_databases] == [
        "10.0.1.0/24", "10.0.2.0/24"]
    print(f"browser form test {time.monotonic() - t0:.1f}s")


def _re(pattern: str) -> Any:
    import re

    return re.compile(pattern)
