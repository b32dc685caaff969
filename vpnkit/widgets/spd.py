"""The SPD editor: rows of VPC-side CIDR -> IDC-side CIDRs (parsing: :mod:`.spdtext`).

Each non-blank row becomes one :class:`~vpnkit.models.SpdRule` in row order (rows are not
merged), so an issue path ``security_policy_databases[i]...`` points at exactly one row.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import ipywidgets as W

from vpnkit.models import SpdRule
from vpnkit.widgets.fields import mark, message_html
from vpnkit.widgets.spdtext import parse_spd_text, spd_pairs, split_cidrs
from vpnkit.widgets.wording import spd_part

__all__ = ["SpdEditor", "parse_spd_text", "spd_pairs", "split_cidrs"]

_PATH = re.compile(r"security_policy_databases\[(\d+)\](?:\.(local|remote))?")


class _Row(W.VBox):  # type: ignore[misc]
    """One visible row; shows data row ``self.i`` of the editor (rows are paged).

    The message sits on its own line under the inputs, so a long one never squeezes them.
    """

    def __init__(self, editor: SpdEditor) -> None:
        self.i = 0
        self.marks: tuple[str, str] = ("", "")
        self.index = W.HTML(layout=W.Layout(width="3em", flex="0 0 auto"))
        self.local = W.Text(placeholder="VPC side: 10.0.1.0/24",
                            layout=W.Layout(width="14em", flex="0 0 auto"))
        self.remote = W.Text(placeholder="IDC side, e.g. 192.168.0.0/24, 192.168.1.0/24",
                             layout=W.Layout(width="auto", flex="1 1 auto", min_width="12em"))
        self.dup = W.Button(icon="copy", tooltip="Duplicate this row",
                            layout=W.Layout(width="2.6em", flex="0 0 auto"))
        self.remove = W.Button(icon="trash", tooltip="Remove this row",
                               layout=W.Layout(width="2.6em", flex="0 0 auto"))
        self.msg = W.HTML(layout=W.Layout(margin="0 0 2px 3em"))
        self.local.add_class("vpnkit-spd-local")
        self.remote.add_class("vpnkit-spd-remote")
        self.msg.add_class("vpnkit-spd-msg")
        self.local.observe(lambda c: editor.edit(self.i, 0, c["new"]), names="value")
        self.remote.observe(lambda c: editor.edit(self.i, 1, c["new"]), names="value")
        self.dup.on_click(lambda _b: editor.duplicate_row(self.i))
        self.remove.on_click(lambda _b: editor.remove_row(self.i))
        line = W.HBox([self.index, self.local, self.remote, self.dup, self.remove],
                      layout=W.Layout(align_items="center", width="100%"))
        super().__init__([line, self.msg], layout=W.Layout(width="100%"))


class SpdEditor(W.VBox):  # type: ignore[misc]
    """Rows of local CIDR -> remote CIDRs with add/remove/duplicate, paste, load, table view.

    The rows live in ``data`` (a list of ``[local, remotes text]``); only one page of them
    has widgets, so a 300-row SPD loads instantly and stays light in the browser.
    """

    def __init__(self, on_change: Callable[[], None], page_size: int = 15) -> None:
        self._on_change = on_change
        self._rendering = False
        self.data: list[list[str]] = [["", ""]]
        self.page = 0
        self.page_size = page_size
        self.row_marks: dict[int, tuple[str, str]] = {}  # data row -> (local msg, remote msg)
        self.touched: set[int] = set()  # data rows whose messages may show
        self.show_all = False  # Submit was pressed: every row's messages show
        self._found: list[tuple[str, str, str]] = []
        self.rule_rows: list[int] = []  # rule index -> data row (blank rows are skipped)
        self.rows = [_Row(self) for _ in range(page_size)]
        self.vpc_label = W.HTML("VPC CIDR: <i>choose a VPC</i>")
        add = W.Button(description="Add row", icon="plus", layout=W.Layout(width="auto"))
        add.on_click(lambda _b: self.add_row())
        self.prev_w = W.Button(icon="chevron-left", tooltip="Previous rows",
                               layout=W.Layout(width="3em"))
        self.next_w = W.Button(icon="chevron-right", tooltip="Next rows",
                               layout=W.Layout(width="3em"))
        self.prev_w.on_click(lambda _b: self.goto((self.page - 1) * self.page_size))
        self.next_w.on_click(lambda _b: self.goto((self.page + 1) * self.page_size))
        self.pager = W.HTML()
        self.paste = W.Textarea(placeholder="Paste lines: 10.0.1.0/24 -> 192.168.0.0/24, "
                                "192.168.1.0/24   (or local=remote1;remote2)",
                                layout=W.Layout(width="auto", height="4.5em"))
        paste_btn = W.Button(description="Add pasted rows", icon="paste",
                             layout=W.Layout(width="auto"))
        paste_btn.on_click(lambda _b: self.apply_paste())
        self.table_toggle = W.ToggleButton(description="Show as table", icon="table",
                                           layout=W.Layout(width="auto"))
        self.table_toggle.observe(lambda _c: self._show_table(), names="value")
        self.table = W.HTML()
        self.message = W.HTML()
        self.note = W.HTML()  # e.g. what SPD rules mean for a route-based tunnel
        self.msg = W.HTML()  # issues of the SPD as a whole (e.g. required for Policy)
        self.msg.add_class("vpnkit-msg")
        super().__init__([self.vpc_label, self.note, self.msg, W.VBox(self.rows, layout=W.Layout(
                              width="100%")),
                          W.HBox([add, self.prev_w, self.pager, self.next_w]),
                          self.paste, W.HBox([paste_btn, self.table_toggle]), self.message,
                          self.table], layout=W.Layout(width="100%"))
        self._render()

    # --- editing ---------------------------------------------------------------------

    def changed(self) -> None:
        if self.table_toggle.value:
            self._show_table()
        self._on_change()

    def edit(self, i: int, column: int, value: str) -> None:
        """A visible cell changed (or set one programmatically)."""
        if self._rendering or i >= len(self.data):
            return
        self.data[i][column] = value
        self.touched.add(i)
        self.changed()

    def set_cell(self, i: int, local: str | None = None, remote: str | None = None) -> None:
        """Set one row's cells by data index (the row need not be on screen)."""
        with_changes = [(0, local), (1, remote)]
        for column, value in with_changes:
            if value is not None:
                self.data[i][column] = value
        self.touched.add(i)
        self._render()
        self.changed()

    def set_rows(self, pairs: Sequence[tuple[str, str]]) -> None:
        """Replace every row."""
        self.data = [[local, remote] for local, remote in pairs] or [["", ""]]
        self.touched = {i for i, row in enumerate(self.data) if any(x.strip() for x in row)}
        self.page = min(self.page, (len(self.data) - 1) // self.page_size)
        self._render()
        self.changed()

    def pairs(self) -> list[tuple[str, str]]:
        """The rows as ``(local, remotes text)``."""
        return [(local, remote) for local, remote in self.data]

    def add_row(self, local: str = "", remote: str = "") -> None:
        self.data.append([local, remote])
        if local or remote:
            self.touched.add(len(self.data) - 1)
        self.goto(len(self.data) - 1)
        self.changed()

    def duplicate_row(self, index: int) -> None:
        self.data.insert(index + 1, list(self.data[index]))
        self.touched = {i + (i > index) for i in self.touched} | {index + 1}
        self._render()
        self.changed()

    def remove_row(self, index: int) -> None:
        del self.data[index]
        self.set_rows(self.pairs())

    def goto(self, index: int) -> None:
        """Show the page holding data row ``index``."""
        last = (len(self.data) - 1) // self.page_size
        self.page = max(0, min(last, index // self.page_size))
        self._render()

    def row_widget(self, index: int) -> _Row:
        """The on-screen row showing data row ``index`` (its page is shown first)."""
        self.goto(index)
        return self.rows[index - self.page * self.page_size]

    def apply_paste(self) -> None:
        """Append the pasted lines as rows (replacing a lone blank row)."""
        try:
            new = parse_spd_text(self.paste.value)
        except ValueError as exc:
            self.message.value = f"<span style='color:#d9534f'>{_esc(str(exc))}</span>"
            return
        self.message.value = f"added {len(new)} row{'s' if len(new) != 1 else ''}"
        self.paste.value = ""
        self.load(new, append=True)

    def load(self, source: Any, *, append: bool = False) -> None:
        """Rows from anything :func:`spd_pairs` reads (DataFrame, CSV path, text, mapping)."""
        pairs = spd_pairs(source)
        old = [p for p in self.pairs() if any(x.strip() for x in p)] if append else []
        self.set_rows(old + pairs)

    # --- showing ---------------------------------------------------------------------

    def _render(self) -> None:
        start = self.page * self.page_size
        self._rendering = True
        try:
            for k, row in enumerate(self.rows):
                row.i = i = start + k
                if i < len(self.data):
                    row.index.value = f"<b style='color:#555'>{i + 1}</b>"
                    row.local.value, row.remote.value = self.data[i]
                    row.layout.display = None
                else:
                    row.layout.display = "none"
                self._mark_row(row)
        finally:
            self._rendering = False
        n = len(self.data)
        bad = sorted(self.row_marks)
        where = (f" · <span style='color:#d9534f'>problems in rows "
                 f"{', '.join(str(b + 1) for b in bad[:8])}{' …' if len(bad) > 8 else ''}"
                 "</span>" if bad else "")
        self.pager.value = f"rows {start + 1}–{min(n, start + self.page_size)} of {n}{where}"
        self.prev_w.disabled = self.page == 0
        self.next_w.disabled = start + self.page_size >= n

    def _mark_row(self, row: _Row) -> None:
        want = self.row_marks.get(row.i, ("", "")) if row.i < len(self.data) else ("", "")
        if want != row.marks:
            row.marks = want
            mark(row.local, "✖" in want[0])
            mark(row.remote, "✖" in want[1])
            row.msg.value = "".join(x for x in want if x)

    # --- reading and marking ---------------------------------------------------------

    def rules(self) -> tuple[SpdRule, ...]:
        """One rule per non-blank row, in row order; ``rule_rows`` maps rules back to rows."""
        rules, self.rule_rows = [], []
        for i, (local, remote) in enumerate(self.data):
            if local.strip() or remote.strip():
                rules.append(SpdRule(local.strip(), split_cidrs(remote)))
                self.rule_rows.append(i)
        return tuple(rules)

    def set_vpc_cidr(self, cidr: str) -> None:
        self.vpc_label.value = (f"VPC CIDR: <b>{_esc(cidr)}</b> (the VPC side must lie inside "
                                "it; the IDC side must not overlap it)" if cidr
                                else "VPC CIDR: <i>unknown (choose a VPC)</i>")

    def mark_issues(self, found: Iterable[tuple[str, str, str]] | None = None) -> None:
        """Show ``(path, severity, message)`` issues at their rows (touched rows only, unless
        ``show_all``); the numbers people see count from 1 (``IDC range 1``)."""
        if found is not None:
            self._found = list(found)
        per_row: dict[int, tuple[list[tuple[str, str]], list[tuple[str, str]]]] = {}
        whole: list[tuple[str, str]] = []
        for path, severity, message in self._found:
            m = _PATH.match(path)
            if not m:
                if path == "security_policy_databases":
                    whole.append((severity, message))
                continue
            if int(m.group(1)) >= len(self.rule_rows):
                continue
            row = self.rule_rows[int(m.group(1))]
            if not (self.show_all or row in self.touched):
                continue
            local, remote = per_row.setdefault(row, ([], []))
            part = spd_part(path)
            (local if m.group(2) == "local" else remote).append(
                (severity, f"{part}: {message}" if part else message))
        marks = {i: (message_html(lo), message_html(re_)) for i, (lo, re_) in per_row.items()}
        self.msg.value = message_html(whole) if (self.show_all or self.touched) else ""
        if marks != self.row_marks:
            self.row_marks = marks
            self._render()

    def frame(self) -> Any:
        """The rules as a DataFrame, one row per (local, remote) pair."""
        import pandas as pd

        rows = [(r.local_cidr_block, c) for r in self.rules() for c in r.remote_cidr_blocks]
        return pd.DataFrame(rows, columns=["local_cidr_block", "remote_cidr_block"])

    def _show_table(self) -> None:
        self.table.value = self.frame().to_html(index=False) if self.table_toggle.value else ""


def _esc(text: str) -> str:
    from html import escape

    return escape(text)
