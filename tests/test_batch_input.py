"""Bad cells in a batch are issues naming row, field and value, never a crash (issue 11 §3)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests.test_batch import SENTINEL, rows, tunnels
from tests.test_batch import _env as _env  # autouse: journal in tmp, PSK variables
from vpnkit import VpcClient
from vpnkit.batch import BatchInvalid, create_many
from vpnkit.batch.io import OPTION_COLUMNS, read_rows
from vpnkit.batch.preflight import Targets, check_rows
from vpnkit.emulator import Emulator
from vpnkit.validate import errors

HUGE = "9" * 5000
BAD_INTEGERS = {"superscript-two": "²", "double-minus": "--30", "5000-digits": HUGE,
                "underscore": "1_000", "fraction": "3.5", "arabic-indic-three": "٣",
                "hex": "0x1e", "unit": "30s"}
INT_COLUMNS = [c for c, o in OPTION_COLUMNS.items() if o.kind == "int"]


@pytest.mark.parametrize("value", list(BAD_INTEGERS.values()), ids=list(BAD_INTEGERS))
def test_bad_integer_cell_is_an_issue_naming_row_field_and_value(value: str) -> None:
    """Every integer column refuses a non-integer cell with an issue, not a bare ValueError."""
    for column in INT_COLUMNS:
        df = rows(2)
        df[column] = ""
        df.loc[1, column] = value
        (good, bad), problems = read_rows(df)
        assert problems == [] and good.issues == [] and good.spec is not None, column
        assert bad.spec is None and bad.row == 1
        (issue,) = [i for i in bad.issues if i.path == column]
        assert issue.code == "InvalidParameter"
        shown = value if len(value) < 40 else "5000-digit"
        assert shown in issue.message, (column, issue.message)


def test_bad_integer_rows_are_skipped_alone(tmp_path: Path, emu: Emulator,
                                            client: VpcClient) -> None:
    """A CSV with '²', '--30' and a 5,000-digit cell: refused with a table, or skipped alone."""
    df = rows(4)
    df["dpd_enable"] = "1"
    df["dpd_timeout"] = ["30", "²", "--30", HUGE]
    path = tmp_path / "bad.csv"
    df.to_csv(path, index=False)
    with pytest.raises(BatchInvalid) as info:
        create_many(client, path, progress=False)
    frame = info.value.frame
    assert list(frame["row"]) == [1, 2, 3] and set(frame["path"]) == {"dpd_timeout"}
    assert tunnels(emu) == []
    result = create_many(client, path, progress=False, skip_invalid=True, wait=False)
    assert list(result.frame["status"]) == ["created", "invalid", "invalid", "invalid"]
    assert result.frame["message"][1:].str.startswith("dpd_timeout").all()
    assert len(tunnels(emu)) == 1


@pytest.mark.parametrize("field", ["name", "vpn_gateway_id", "customer_gateway_id"])
def test_null_required_field_is_missing_parameter(field: str) -> None:
    """A required field that is null (JSON) or blank (CSV) is MissingParameter for that field."""
    record: dict[str, Any] = rows(1).to_dict("records")[0]
    record[field] = None
    (row,), _ = read_rows([record])
    assert row.spec is None
    assert [(i.path, i.code) for i in row.issues] == [(field, "MissingParameter")]


def test_null_required_field_in_a_json_file_does_not_abort(tmp_path: Path, emu: Emulator,
                                                           client: VpcClient) -> None:
    """JSON rows (both layouts) with nulls become issues; --skip-invalid creates the good one."""
    good = rows(1).to_dict("records")[0]
    flat_null = {**rows(2).to_dict("records")[1], "customer_gateway_id": None}
    wire_null = {"VpnGatewayId": "vpngw-demo0001", "CustomerGatewayId": None,
                 "VpnConnectionName": "w", "PreShareKey": SENTINEL, "VpcId": "vpc-demo0001"}
    wire_junk = {"VpnGatewayId": "vpngw-demo0001", "CustomerGatewayId": "cgw-demo0001",
                 "VpnConnectionName": "j", "PreShareKey": SENTINEL, "VpcId": "vpc-demo0001",
                 "DpdEnable": 1, "DpdTimeout": "--30"}
    path = tmp_path / "b.json"
    path.write_text(json.dumps([good, flat_null, wire_null, wire_junk]))
    with pytest.raises(BatchInvalid) as info:
        create_many(client, path, progress=False)
    codes = dict(zip(info.value.frame["row"], info.value.frame["code"], strict=False))
    assert codes[1] == "MissingParameter" and codes[2] == "MissingParameter"
    assert 3 in codes and SENTINEL not in info.value.frame.to_string()
    result = create_many(client, path, progress=False, skip_invalid=True, wait=False)
    assert list(result.frame["status"]) == ["created", "invalid", "invalid", "invalid"]
    assert len(tunnels(emu)) == 1


def test_odd_cell_types_never_crash_the_reader() -> None:
    """Odd values (lists, dicts, inf, int64) in cells or wire bodies are typed or become issues."""
    base = rows(1).to_dict("records")[0]
    for column in OPTION_COLUMNS:
        for value in ([1], {"a": 1}, 1.5, float("inf"), True):
            (row,), _ = read_rows([{**base, column: value}])
            assert row.spec is not None or row.issues, (column, value)
    wire = {"VpnGatewayId": "vpngw-demo0001", "CustomerGatewayId": "cgw-demo0001",
            "VpnConnectionName": "w", "PreShareKey": SENTINEL, "VpcId": "vpc-demo0001"}
    for key in (*wire, "RouteType", "BgpConfig", "SecurityPolicyDatabases", "DpdTimeout"):
        for value in ([], {}, [None], {"x": [1]}, 5, "²"):
            inputs, _ = read_rows([{**wire, key: value}])
            check_rows(inputs, Targets())  # pre-flight: never a TypeError on odd values
            (row,) = inputs
            if value in ([None], {"x": [1]}):  # never a valid value of these fields
                assert row.spec is None or errors(row.issues), (key, value)
    df = rows(1).assign(dpd_enable=pd.Series([1], dtype="int64"),
                        dpd_timeout=pd.Series([30], dtype="int64"))
    (row,), _ = read_rows(df)
    assert row.issues == [] and row.spec is not None
    assert (row.spec.dpd_enable, row.spec.dpd_timeout) == (1, 30)
