"""The SPD editor: rows of VPC-side CIDR -> IDC-side CIDRs, plus the pure text parsing.

Each non-blank row becomes one :class:`~vpnkit.models.SpdRule` in row order (rows are not
merged), so an issue path ``security_policy_databases[i]...`` points at exactly one row.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import ipywidgets as W

from vpnkit.models import SpdRule, spd_rules
from vpnkit.widgets.fields import mark

__all__ = ["SpdEditor", "parse_spd_text", "spd_pairs", "split_cidrs"]

_SPLIT = re.compile(r"[\s,;]+")
_ARROWS = ("->", "→", "=>", "=", "\t")
_PATH = re.compile(r"security_policy_databases\[(\d+)\](?:\.(local|remote))?")


def split_cidrs(text: str) -> tuple[str, ...]:
    """``"a, b; c d"`` -> ``("a", "b", "c", "d")``."""
    return tuple(p for p in _SPLIT.split(text.strip()) if p)


def parse_spd_text(text: str) -> list[tuple[str, str]]:
    """Lines like ``10.0.1.0/24 -> 192.168.0.0/24, 192.168.1.0/24`` or ``local=r1;r2``.

    Also ``local<TAB>remote`` (a spreadsheet paste) and ``local remote1 remote2``. Blank
    lines and ``#`` comments are skipped. Returns ``(local, "remote1, remote2")`` rows.
    """
    rows = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        for arrow in _ARROWS:
            if arrow in line:
                local, _, rest = line.partition(arrow)
                remotes = split_cidrs(rest)
                break
        else:
            local, *more = split_cidrs(line)
            remotes = tuple(more)
        if not remotes:
            raise ValueError(f"line {number}: {raw.strip()!r} has no IDC-side CIDR; "
                             "write 'local -> remote1, remote2'")
        rows.append((local.strip(), ", ".join(remotes)))
    return rows


def spd_pairs(source: Any) -> list[tuple[str, str]]:
    """Rows from a DataFrame, CSV path, text block, mapping, pairs or ``SpdRule``s."""
    if isinstance(source, str | os.PathLike):
        if isinstance(source, os.PathLike) or (os.path.exists(source) and "\n" not in source):
            import pandas as pd

            source = pd.read_csv(source, dtype=str, skipinitialspace=True)
        else:
            return parse_spd_text(source)
    rows = []
    for rule in spd_rules(source):
        remotes = [c for r in rule.remote_cidr_blocks for c in split_cidrs(str(r))]
        rows.append((str(rule.local_cidr_block).strip(), ", ".join(remotes)))
    return rows


class _Row(W.HBox):  # type: ignore[misc]
    """One visible row; shows data row ``self.i`` of the editor (rows are paged)."""

    def __init__(self, editor: SpdEditor) -> None:
        self.i = 0
        self.marks: tuple[str, str] = ("", "")
        self.index = W.HTML(layout=W.Layout(width="3.5em"))
        self.local = W.Text(placeholder="VPC side, e.g. 10.0.1.0/24",
                            layout=W.Layout(width="10em"))
        self.remote = W.Text(placeholder="IDC side, e.g. 192.168.0.0/24, 192.168.1.0/24",
                             layout=W.Layout(flex="1 1 auto", min_width="13em"))
        self.dup = W.Button(icon="copy", tooltip="Duplicate this row",
                            layout=W.Layout(width="2.6em"))
        self.remove = W.Button(icon="trash", tooltip="Remove this row",
                               layout=W.Layout(width="2.6em"))
        self.msg = W.HTML(layout=W.Layout(max_width="40%"))
        self.local.add_class("vpnkit-spd-local")
        self.remote.add_class("vpnkit-spd-remote")
        self.msg.add_class("vpnkit-spd-msg")
        self.local.observe(lambda c: editor.edit(self.i, 0, c["new"]), names="value")
        self.remote.observe(lambda c: editor.edit(self.i, 1, c["new"]), names="value")
        self.dup.on_click(lambda _b: editor.duplicate_row(self.i))
        self.remove.on_click(lambda _b: editor.remove_row(self.i))
        super().__init__([self.index, self.local, self.remote, self.dup, self.remove,
                          self.msg], layout=W.Layout(align_items="center"))


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
        self.rule_rows: list[int] = []  # rule index -> data row (blank rows are skipped)
        self.rows = [_Row(self) for _ in range(page_size)]
        self.vpc_label = W.HTML("VPC CIDR: <i>choose a VPC</i>")
        add = W.Button(description="Add row", icon="plus")
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
                                layout=W.Layout(width="98%", height="4.5em"))
        paste_btn = W.Button(description="Add pasted rows", icon="paste")
        paste_btn.on_click(lambda _b: self.apply_paste())
        self.table_toggle = W.ToggleButton(description="Show as table", icon="table")
        self.table_toggle.observe(lambda _c: self._show_table(), names="value")
        self.table = W.HTML()
        self.message = W.HTML()
        super().__init__([self.vpc_label, W.VBox(self.rows),
                          W.HBox([add, self.prev_w, self.pager, self.next_w]),
                          self.paste, W.HBox([paste_btn, self.table_toggle]), self.message,
                          self.table])
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
        self.changed()

    def set_cell(self, i: int, local: str | None = None, remote: str | None = None) -> None:
        """Set one row's cells by data index (the row need not be on screen)."""
        with_changes = [(0, local), (1, remote)]
        for column, value in with_changes:
            if value is not None:
                self.data[i][column] = value
        self._render()
        self.changed()

    def set_rows(self, pairs: Sequence[tuple[str, str]]) -> None:
        """Replace every row."""
        self.data = [[local, remote] for local, remote in pairs] or [["", ""]]
        self.page = min(self.page, (len(self.data) - 1) // self.page_size)
        self._render()
        self.changed()

    def pairs(self) -> list[tuple[str, str]]:
        """The rows as ``(local, remotes text)``."""
        return [(local, remote) for local, remote in self.data]

    def add_row(self, local: str = "", remote: str = "") -> None:
        self.data.append([local, remote])
        self.goto(len(self.data) - 1)
        self.changed()

    def duplicate_row(self, index: int) -> None:
        self.data.insert(index + 1, list(self.data[index]))
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
                    row.index.value = f"<code>[{i}]</code>"
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
                 f"{', '.join(map(str, bad[:8]))}{' …' if len(bad) > 8 else ''}</span>"
                 if bad else "")
        self.pager.value = f"rows {start}–{min(n, start + self.page_size) - 1} of {n}{where}"
        self.prev_w.disabled = self.page == 0
        self.next_w.disabled = start + self.page_size >= n

    def _mark_row(self, row: _Row) -> None:
        want = self.row_marks.get(row.i, ("", "")) if row.i < len(self.data) else ("", "")
        if want != row.marks:
            row.marks = want
            mark(row.local, want[0])
            mark(row.remote, want[1])
            text = " ".join(x for x in want if x)
            row.msg.value = f"<span style='color:#d9534f'>{_esc(text)}</span>" if text else ""

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

    def mark_issues(self, found: Iterable[tuple[str, str]]) -> None:
        """Mark cells named by ``(path, message)`` issues; only on-screen rows are touched."""
        per_row: dict[int, tuple[list[str], list[str]]] = {}
        for path, message in found:
            m = _PATH.match(path)
            if not m or int(m.group(1)) >= len(self.rule_rows):
                continue
            local, remote = per_row.setdefault(self.rule_rows[int(m.group(1))], ([], []))
            (local if m.group(2) == "local" else remote).append(message)
        marks = {i: ("; ".join(lo), "; ".join(re_)) for i, (lo, re_) in per_row.items()}
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
