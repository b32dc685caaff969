"""The committed runbooks stay clean: no outputs, no secrets, no machine paths."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def test_there_are_runbooks() -> None:
    """The runbooks exist (01-04, and 06 for day-two changes)."""
    assert {"01", "02", "03", "04", "06"} <= {p.name[:2] for p in NOTEBOOKS}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_runbook_is_committed_stripped_and_clean(path: Path) -> None:
    """Outputs are stripped, no widget state is saved, and no key or absolute path appears."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == []
            assert cell.get("execution_count") is None
    assert "widgets" not in nb.get("metadata", {})
    text = path.read_text(encoding="utf-8")
    assert not re.search(r'"/(root|home|tmp|work|Users)/', text)
    assert not re.search(r'PreShareKey\\?"\s*:\s*\\?"[^*"\\]', text)
    assert not re.search(r"AKID[0-9A-Za-z]{12,}", text)
