"""The widget form driven in a real JupyterLab in headless Chromium (Playwright, no download).

The test starts an emulator, generates a notebook into tmp_path that connects to it (env
``VPNKIT_EMU_URL``) and displays ``vpnkit.form(client)``, serves it with JupyterLab, then
uses the form as an analyst would. Approach and pitfalls: shared/recipes/browser-widgets.
Screenshots go to ``$ARTIFACTS_DIR`` (default ``artifacts/``).
"""

from __future__ import annotations

import json
import os
import re
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

from vpnkit import VpcClient
from vpnkit.emulator import Emulator, serve

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("ARTIFACTS_DIR", "artifacts")).resolve()
VENV_BIN = Path(sys.executable).parent
TOKEN = "vpnkit-e2e-token"
# --disable-dev-shm-usage: a container's small /dev/shm crashes the renderer of a page this big
# (Debian's wrapper would add it for a small /dev/shm, but its size check is broken: "[: ...
# unexpected operator").
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage"]
UI_TIMEOUT = 60_000
NAME = "browser-gz-hq"
TYPED = "Typed-in-browser-9c1e-key"

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


def _private_jupyter_dirs(workdir: Path) -> dict[str, str]:
    """Jupyter and IPython dirs of this test only, with a ``python3`` kernel of this venv.

    Whatever the machine's home holds (a user-level ``python3`` kernelspec pointing at another
    Python, a ``jupyter_server_config.py``, IPython startup files) cannot change the run.
    """
    data = workdir / ".jupyter-data"
    spec = data / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (ipykernel)", "language": "python"}))
    (workdir / ".jupyter-config").mkdir()
    return {"JUPYTER_DATA_DIR": str(data), "JUPYTER_CONFIG_DIR": str(workdir / ".jupyter-config"),
            "JUPYTER_RUNTIME_DIR": str(workdir / ".runtime"),
            "IPYTHONDIR": str(workdir / ".ipython")}


@contextmanager
def _lab(workdir: Path, emu_url: str) -> Iterator[str]:
    """JupyterLab on a free port serving ``workdir``; SIGTERM afterwards (kernels stop too)."""
    port = _free_port()
    settings = workdir / ".lab-settings"
    notif = settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    notif.parent.mkdir(parents=True)
    notif.write_text('{"fetchNews": "false", "checkForUpdates": false}')
    # Save widget state with the notebook: the strictest front end for the key test.
    widgets = settings / "@jupyter-widgets" / "jupyterlab-manager" / "plugin.jupyterlab-settings"
    widgets.parent.mkdir(parents=True)
    widgets.write_text('{"saveState": true}')
    cmd = [str(VENV_BIN / "jupyter"), "lab", "--allow-root", "--no-browser",
           "--ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
           f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={workdir}",
           f"--LabApp.workspaces_dir={workdir / '.lab-workspaces'}",
           f"--LabApp.user_settings_dir={settings}", "--LabApp.news_url=None",
           "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
           "--LabApp.extension_manager=readonly"]
    env = dict(os.environ, VPNKIT_EMU_URL=emu_url, VPNKIT_KEY_DIR=str(workdir / "keys"),
               **_private_jupyter_dirs(workdir))
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
def browser_log() -> list[str]:
    """What the page said: console errors and warnings, page errors, a renderer crash."""
    return []


@pytest.fixture
def page(lab: str, browser_log: list[str], request: pytest.FixtureRequest) -> Iterator[Any]:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
        pg = ctx.new_page()
        pg.on("console", lambda m: browser_log.append(f"console.{m.type}: {m.text[:300]}")
              if m.type in ("error", "warning") else None)
        pg.on("pageerror", lambda e: browser_log.append(f"pageerror: {str(e)[:300]}"))
        pg.on("crash", lambda _: browser_log.append("the page's renderer crashed"))
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


LAYOUT_JS = """(form) => {
  const cell = (form.closest('.jp-Cell-outputWrapper') || document.body).getBoundingClientRect();
  const box = form.getBoundingClientRect();
  const out = {form: [form.scrollWidth, form.clientWidth], buttons: [], selects: [],
               inputs: [], cell: [Math.round(box.right), Math.round(cell.right)]};
  const ctx = document.createElement('canvas').getContext('2d');
  for (const b of form.querySelectorAll('button')) {
    if (!b.offsetParent) continue;  // hidden
    out.buttons.push([b.innerText.trim(), b.scrollWidth, b.clientWidth]);
  }
  for (const s of form.querySelectorAll('select')) {
    if (!s.offsetParent || s.selectedIndex < 0) continue;
    const st = getComputedStyle(s);
    ctx.font = st.font;
    const text = s.options[s.selectedIndex].text;
    const room = s.clientWidth - parseFloat(st.paddingLeft) - parseFloat(st.paddingRight) - 16;
    out.selects.push([text, Math.ceil(ctx.measureText(text).width), Math.floor(room)]);
  }
  const right = form.getBoundingClientRect().right;
  out.wide = [];
  for (const el of form.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width && r.right > right + 0.5)
      out.wide.push([el.tagName, el.className.toString().slice(0, 60), Math.round(r.right)]);
  }
  out.wide = out.wide.slice(0, 8);
  for (const el of form.querySelectorAll('input, select, textarea, button, table')) {
    if (!el.offsetParent || el.closest('.vpnkit-result-scroll')) continue;
    const r = el.getBoundingClientRect();
    if (r.right > right + 0.5) out.inputs.push([el.tagName, el.className, r.right, right]);
  }
  out.tables = [...form.querySelectorAll('.vpnkit-result-scroll')].map(
    (t) => [Math.round(t.getBoundingClientRect().right), t.scrollWidth, t.clientWidth]);
  return out;
}"""


def _check_layout(form: Any, where: str) -> dict[str, Any]:
    """No horizontal overflow of the form, no clipped button or dropdown text."""
    got: dict[str, Any] = form.evaluate(LAYOUT_JS)
    scroll, client = got["form"]
    assert scroll <= client, f"{where}: the form overflows sideways ({scroll} > {client} px)" \
        f" {got['wide']}"
    clipped = [b for b in got["buttons"] if b[1] > b[2]]
    assert not clipped, f"{where}: truncated buttons {clipped}"
    cut = [s for s in got["selects"] if s[1] > s[2]]
    assert not cut, f"{where}: dropdown labels cut {cut}"
    assert not got["inputs"], f"{where}: controls past the form's right edge {got['inputs']}"
    boxes = [t for t in got["tables"] if t[0] > got["cell"][0]]
    assert not boxes, f"{where}: a table's scroll box passes the form's edge {boxes}"
    right, cell = got["cell"]
    assert right <= cell, f"{where}: the form is wider than its notebook cell ({right} > {cell})"
    assert got["buttons"] and got["selects"]
    return got


def _in_viewport(page: Any, locator: Any) -> bool:
    box = locator.bounding_box()
    size = page.viewport_size
    return bool(box and box["y"] >= 0 and box["y"] + box["height"] <= size["height"]
                and box["x"] >= 0 and box["x"] + box["width"] <= size["width"])


def _shot(page: Any, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / name))


def test_form_in_jupyterlab(lab: str, page: Any, browser_log: list[str], emulator: Emulator,
                            tmp_path: Path) -> None:
    """The whole flow at 1400x1000 keeps its layout, errors sit at their cells, no key saved."""
    from playwright.sync_api import expect

    t0 = time.monotonic()
    page.goto(f"{lab}/lab/tree/form.ipynb?token={TOKEN}&reset")
    page.locator("#jp-main-statusbar", has_text="| Idle").wait_for()
    form = _start_form(page, browser_log)
    submit = page.locator(".vpnkit-bar button.mod-primary", has_text="Submit")
    expect(submit).to_be_visible()

    # 1. pristine: nothing red, the checks say what is left, layout holds
    expect(form.locator(".vpnkit-error")).to_have_count(0)
    expect(page.locator(".vpnkit-checks")).to_contain_text("Not ready")
    _check_layout(form, "pristine")
    _shot(page, "form-1-pristine.png")

    # 1b. Submit on the empty form: each message appears under its own field, nothing sent
    submit.click()
    name_input = _field(page, "text", "Tunnel name")
    name_msg = page.locator(".widget-vbox:has(> .widget-hbox > .widget-text "
                            "label.widget-label:text-is('Tunnel name')) > .vpnkit-msg")
    expect(name_msg.first).to_contain_text("must not be empty")
    expect(page.locator(".vpnkit-bar")).to_contain_text("Not sent")
    box, note = name_input.bounding_box(), name_msg.first.bounding_box()
    assert box and note and 0 <= note["y"] - (box["y"] + box["height"]) <= 24, (box, note)
    _check_layout(form, "submit empty")
    _shot(page, "form-1b-submit-empty.png")

    # 2. targets, name, a typed key (moved out of the widget at once)
    _field(page, "dropdown", "VPN gateway").select_option(index=1)
    _field(page, "dropdown", "Customer gateway").select_option(index=1)
    _field(page, "text", "Tunnel name").fill(NAME)
    entry = page.locator(".vpnkit-key-entry input")
    entry.fill(TYPED)
    entry.press("Enter")
    expect(page.locator(".vpnkit-key-state")).to_contain_text("key set (entered)")
    expect(entry).to_have_value("")
    page.locator("button", has_text="Save key to file").click()
    expect(page.locator(".vpnkit-form")).to_contain_text("(0600)")
    key_file = tmp_path / "keys" / f"{NAME}.psk"
    assert key_file.read_text().strip() == TYPED and key_file.stat().st_mode & 0o077 == 0

    # 3. SPD with a bad cell: the message sits right under that cell, inputs keep their size
    page.locator(".vpnkit-spd-local input").nth(0).fill("10.0.1.0/24")
    page.locator(".vpnkit-spd-remote input").nth(0).fill("192.168.0.0/24, 192.168.1.0/24")
    page.locator("button", has_text="Add row").click()
    bad = page.locator(".vpnkit-spd-local input").nth(1)
    bad.fill("10.0.2.1/24")
    page.locator(".vpnkit-spd-remote input").nth(1).fill("192.168.2.0/24")
    msg = page.locator(".vpnkit-spd-msg").nth(1)
    expect(msg).to_contain_text("did you mean 10.0.2.0/24")
    expect(page.locator(".vpnkit-spd-local").nth(1)).to_have_class(re.compile("vpnkit-bad"))
    expect(page.locator(".vpnkit-checks")).to_contain_text("SPD rule 2, VPC side")
    cell, note = bad.bounding_box(), msg.bounding_box()
    assert cell and note
    assert 0 <= note["y"] - (cell["y"] + cell["height"]) <= 24, (cell, note)
    assert note["x"] <= cell["x"] + cell["width"] and note["x"] + note["width"] >= cell["x"]
    assert cell["width"] >= 150  # the message does not squeeze the inputs
    assert _in_viewport(page, submit), "Submit scrolled out of view while filling the SPD"
    assert _in_viewport(page, page.locator(".vpnkit-checks")), "the checks are out of view"
    _check_layout(form, "bad CIDR")
    _shot(page, "form-2-bad-cidr.png")

    bad.fill("10.0.2.0/24")
    expect(msg).to_have_text("")
    expect(page.locator(".vpnkit-checks")).to_contain_text("Ready to submit")

    # 4. security: the profile picker; the individual options open on demand
    expect(_field(page, "dropdown", "Security profile")).to_have_value(re.compile("strong"))
    advanced = page.locator(".jupyter-widget-Collapse-header", has_text="Advanced").first
    if not _field(page, "dropdown", "DH group").is_visible():  # Submit may have opened it
        advanced.click()
    _field(page, "dropdown", "DH group").select_option("GROUP15")
    expect(_field(page, "dropdown", "Security profile")).to_have_value("(custom)")
    expect(page.locator("label.widget-label:text-is('Exchange mode (IKEv1)')")).to_be_hidden()
    _check_layout(form, "advanced open")
    _shot(page, "form-3-advanced.png")
    assert _in_viewport(page, submit), "Submit out of view with the advanced part open"
    _field(page, "dropdown", "Security profile").select_option("strong (recommended)")
    expect(_field(page, "dropdown", "DH group")).to_have_value("GROUP14")
    advanced.click()  # collapse it again
    expect(_field(page, "dropdown", "DH group")).to_be_hidden()

    # 5. submit: honest progress, one compact row inside the form
    submit.click()
    result = page.locator(".vpnkit-result table").first
    expect(result).to_contain_text(NAME, timeout=30_000)
    expect(result).to_contain_text("AVAILABLE")
    expect(page.locator(".vpnkit-progress")).to_contain_text("AVAILABLE")
    expect(page.locator(".vpnkit-result table")).to_have_count(1)
    got = _check_layout(form, "created")
    assert all(w <= c for _, w, c in got["tables"]), f"the compact table scrolls {got}"
    _readme_picture(page, form)
    page.locator("button", has_text="All columns").click()
    expect(result).to_contain_text("ipsec_sa_lifetime_traffic")
    _check_layout(form, "all columns")
    _shot(page, "form-4-created.png")

    # 6. the IDC side of the new tunnel (when vpnkit.peer is there), without the key
    peer_button = page.locator("button", has_text="Show IDC-side configuration")
    if peer_button.count():
        peer_button.click()
        text = page.locator(".vpnkit-peer-text textarea")
        expect(text).to_have_value(re.compile("198.51.100.10"))
        assert TYPED not in text.input_value()
        _shot(page, "form-5-idc-config.png")

    # 7. pre-flight: the same SPD again on this gateway names the tunnel it conflicts with
    _field(page, "text", "Tunnel name").fill(NAME + "-2")
    conflict = page.locator(".vpnkit-spd-msg").nth(0)
    expect(conflict).to_contain_text(f"overlaps tunnel '{NAME}'")
    _shot(page, "form-6-conflict.png")
    _check_layout(form, "conflict")
    client = VpcClient("ap-guangzhou", endpoint=emulator.url, credential=emulator.credential)
    conn = client.find_vpn_connection("vpngw-demo0001", NAME)
    assert conn is not None and conn.ike_options is not None
    assert conn.ike_options.dh_group == "GROUP14" and conn.ike_options.version == "IKEV2"
    assert conn.ipsec_options is not None and conn.ipsec_options.pfs_dh_group == "DH-GROUP14"
    assert [r.local_cidr_block for r in conn.security_policy_databases] == [
        "10.0.1.0/24", "10.0.2.0/24"]

    # 8. the saved notebook (with widget state, as this lab is set to save it) holds no key
    page.locator("li.lm-MenuBar-item", has_text="File").click()
    page.locator("li.lm-Menu-item[data-command='docmanager:save']").click()
    saved = tmp_path / "form.ipynb"
    deadline = time.monotonic() + 20
    while "widget-state" not in saved.read_text() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert "widget-state" in saved.read_text() and TYPED not in saved.read_text()
    assert TYPED not in (ARTIFACTS / "jupyterlab-form.log").read_text()

    print(f"browser form test {time.monotonic() - t0:.1f}s")


def _readme_picture(page: Any, form: Any) -> None:
    """The whole form in one picture (``artifacts/form.png``, copied to notebooks/img/)."""
    page.set_viewport_size({"width": 1400, "height": 2000})
    page.wait_for_timeout(300)  # JupyterLab relays out on resize
    form.scroll_into_view_if_needed()
    box = form.bounding_box()
    assert box is not None
    top = max(box["y"] - 8, 0)
    page.screenshot(path=str(ARTIFACTS / "form.png"), clip={
        "x": box["x"] - 8, "y": top, "width": box["width"] + 16,
        "height": min(box["height"] + 16, 2000 - top)})
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.wait_for_timeout(300)

RAN = re.compile(r"\[(\*|\d+)\]:")  # the prompt of a queued, running or finished cell
DONE = re.compile(r"\[\d+\]:")
FORM_TIMEOUT = 120.0
WHY = {"error": "the cell raised", "lost": "the cell finished without showing it",
       "timeout": f"the cell was still running after {FORM_TIMEOUT:.0f} s"}


def _menu(page: Any, menu: str, command: str) -> None:
    page.locator("li.lm-MenuBar-item", has_text=menu).click()
    page.locator(f"li.lm-Menu-item[data-command='{command}']").click()


def _start_form(page: Any, browser_log: list[str]) -> Any:
    """Run the notebook until the form shows; the form's locator.

    Two front-end races are retried once each, and said so on stdout: Run All right after the
    kernel connects can queue nothing (recipe pitfall 4: the prompt stays ``[ ]:``), and a
    widget displayed before the front end's widget manager listens is lost ("Error displaying
    widget", or the plain-text repr). A traceback, or no form after the retries, fails with the
    cell's output, the browser's errors and the end of JupyterLab's log.
    """
    from playwright.sync_api import expect

    form = page.locator(".vpnkit-form")
    prompt = page.locator(".jp-InputPrompt").first
    _menu(page, "Run", "runmenu:run-all")
    for attempt in (1, 2):
        try:
            expect(prompt).to_have_text(RAN, timeout=15_000)
        except AssertionError:
            print(f"attempt {attempt}: Run All queued nothing; running all again")
            _menu(page, "Run", "runmenu:run-all")
            expect(prompt).to_have_text(RAN, timeout=15_000)
        outcome = _wait_for_form(page, form, prompt)
        if outcome == "form":
            return form
        output = _cell_output(page)
        if outcome == "error" or attempt == 2:
            pytest.fail(_no_form_report(outcome, attempt, prompt, output, browser_log))
        print(f"attempt {attempt}: the cell ran but no form showed ({output[:200]!r}); "
              "restarting the kernel and running all again")
        _menu(page, "Kernel", "runmenu:restart-and-run-all")
        page.locator(".jp-Dialog .jp-mod-accept").click()
        page.locator(".jp-Dialog").wait_for(state="hidden")
    raise AssertionError("unreachable")


def _wait_for_form(page: Any, form: Any, prompt: Any) -> str:
    """``form``, ``error`` (a traceback), ``lost`` (ran, no form) or ``timeout``."""
    deadline = time.monotonic() + FORM_TIMEOUT
    finished_at: float | None = None
    while time.monotonic() < deadline:
        if form.count() and form.first.is_visible():
            return "form"
        if page.locator(".jp-OutputArea-output[data-mime-type="
                        "'application/vnd.jupyter.stderr']", has_text="Traceback").count():
            return "error"
        if not DONE.fullmatch(prompt.inner_text().strip()):
            finished_at = None
        elif finished_at is None:
            finished_at = time.monotonic()
        elif time.monotonic() - finished_at > 20:  # a finished cell's widgets show in ~1 s
            return "lost"
        page.wait_for_timeout(250)
    return "timeout"


def _cell_output(page: Any) -> str:
    area = page.locator(".jp-Cell .jp-OutputArea").first
    return str(area.inner_text()) if area.count() else "(no output area)"


def _no_form_report(outcome: str, attempt: int, prompt: Any, output: str,
                    browser_log: list[str]) -> str:
    log = ARTIFACTS / "jupyterlab-form.log"
    tail = log.read_text().splitlines()[-40:] if log.exists() else ["(no log)"]
    return "\n".join([
        f"the form did not show: {WHY[outcome]} (attempt {attempt}, prompt "
        f"{prompt.inner_text().strip()!r})",
        "cell output:", output[-3000:] or "(empty)",
        "browser:", *(browser_log[-20:] or ["(nothing logged)"]),
        "JupyterLab log, last 40 lines:", *tail])
