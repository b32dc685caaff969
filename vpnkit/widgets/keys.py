"""The pre-shared key field: the key lives on the Python side only, never in a synced trait.

Widget state is saved into notebooks (nbconvert/nbclient/papermill store it by default, and
JupyterLab can too), so no synced trait ever keeps the key:

* typing: a ``Password`` with ``continuous_update=False`` syncs once (Enter or leaving the
  field); its observer moves the value into :attr:`KeyField.value` and clears the widget at
  once, so the model (kernel and front end) ends up holding ``""``; the kernel does not echo
  the typed value to other views (``echo_update=False``);
* generating and cloning (``form.load(tunnel)``) set the Python-side value directly;
* the widget shows only *that* a key is set and where it came from;
* "Save key to file" writes it (at the analyst's request) to a file readable only by its owner
  (0600, in a 0700 folder), the one honest way to hand it on without the notebook: the path is
  shown, never the key. Scripts read it with :meth:`KeyField.reveal`.
"""

from __future__ import annotations

import os
import re
import secrets
import tempfile
from collections.abc import Callable
from html import escape
from pathlib import Path

import ipywidgets as W
import traitlets as T

__all__ = ["KeyEntry", "KeyField", "default_key_dir", "generate_key", "save_key"]

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def generate_key() -> str:
    """A strong pre-shared key: 32 URL-safe characters (192 random bits)."""
    return secrets.token_urlsafe(24)


def default_key_dir() -> Path:
    """``$VPNKIT_KEY_DIR``, else ``$XDG_DATA_HOME/vpnkit/keys`` (``~/.local/share/...``)."""
    if os.environ.get("VPNKIT_KEY_DIR"):
        return Path(os.environ["VPNKIT_KEY_DIR"])
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(Path.home(), ".local", "share")
    return Path(base) / "vpnkit" / "keys"


def save_key(key: str, name: str, folder: Path) -> Path:
    """Write ``key`` to ``folder/<name>.psk``: folder 0700, file 0600, created that way.

    The key goes into a new file (``mkstemp``: 0600, never an existing one), which then
    replaces the target: an older, readable ``.psk`` or a symlink at that path is replaced,
    never written through, and the key is never readable by others for a moment.
    """
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    path = folder / f"{_SAFE.sub('_', name).strip('._') or 'tunnel'}.psk"
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".psk-")
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(key + "\n")
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
    return path


class KeyEntry(W.Password):  # type: ignore[misc]
    """A Password whose typed value is never echoed to other front ends (ipywidgets 8 echoes
    every front-end update to all views by default; ``echo_update=False`` turns it off)."""

    value = T.Unicode(help="typed key, cleared as soon as it is read").tag(
        sync=True, echo_update=False)


class KeyField(W.VBox):  # type: ignore[misc]
    """Enter, generate or keep a pre-shared key; only "key set (...)" is ever shown."""

    def __init__(self, on_change: Callable[[], None], *, name: Callable[[], str] = str,
                 key_dir: Path | None = None) -> None:
        self._value = ""
        self.source = ""
        self._on_change = on_change
        self._name = name
        self.key_dir = key_dir
        self.entry = KeyEntry(description="Pre-shared key", continuous_update=False,
                                placeholder="type it, then Enter",
                                style={"description_width": "170px"},
                                layout=W.Layout(width="auto", flex="1 1 20em"))
        self.entry.add_class("vpnkit-key-entry")
        self.state = W.HTML()
        self.state.add_class("vpnkit-key-state")
        self.generate = W.Button(description="Generate strong key", icon="key",
                                 layout=W.Layout(width="auto"))
        self.save = W.Button(description="Save key to file", icon="save",
                             tooltip="Write the key to a file only you can read (0600)",
                             layout=W.Layout(width="auto"))
        self.saved = W.HTML()
        self.entry.observe(self._entered, names="value")
        self.generate.on_click(lambda _b: self.set(generate_key(), "generated"))
        self.save.on_click(lambda _b: self.save_to_file())
        super().__init__([W.HBox([self.entry, self.generate], layout=W.Layout(width="100%")),
                          W.HBox([self.state, self.save, self.saved],
                                 layout=W.Layout(align_items="center", margin="0 0 0 174px"))])
        self._show()

    def _entered(self, change: dict[str, object]) -> None:
        text = str(change["new"])
        if text:
            self.entry.value = ""  # the synced model never keeps it
            self.set(text, "entered")

    @property
    def value(self) -> str:
        """The key (Python side only; never a trait)."""
        return self._value

    def set(self, key: str | None, source: str = "entered") -> None:
        """Set the key (``None``/``""`` clears it); ``source`` is shown: generated, ..."""
        self._value = key or ""
        self.source = source if key else ""
        self.saved.value = ""
        self._show()
        self._on_change()

    def reveal(self) -> str:
        """The key, for a script to hand to a secret store (do not print it in a notebook)."""
        return self._value

    def save_to_file(self) -> Path | None:
        """Write the key to ``<key_dir>/<tunnel name>.psk`` (0600) and show the path."""
        if not self._value:
            self.saved.value = "<span style='color:#b35c00'>no key to save</span>"
            return None
        path = save_key(self._value, self._name() or "tunnel", self.key_dir or default_key_dir())
        self.saved.value = f"saved to <code>{escape(str(path))}</code> (0600)"
        return path

    def _show(self) -> None:
        if self._value:
            text = f"✔ key set ({escape(self.source)})"
            self.state.value = f"<span style='color:#2e7d32'>{text}</span>"
        else:
            self.state.value = "<span style='color:#666'>no key set</span>"
        self.save.layout.display = None if self._value else "none"
