"""The official tencentcloud-sdk-python, unmodified, against the emulator (test-only oracle)."""

from __future__ import annotations

import json
import time

import pytest
from emu_helpers import tunnel_request

from vpnkit.emulator import DEMO_SECRET_ID, DEMO_SECRET_KEY, Emulator

sdk_common = pytest.importorskip("tencentcloud.common.credential")
from tencentcloud.common.exception.tencent_cloud_sdk_exception import (  # noqa: E402
    TencentCloudSDKException,
)
from tencentcloud.common.profile.client_profile import ClientProfile  # noqa: E402
from tencentcloud.common.profile.http_profile import HttpProfile  # noqa: E402
from tencentcloud.vpc.v20170312 import models, vpc_client  # noqa: E402


def _client(emu: Emulator, key: str = DEMO_SECRET_KEY, method: str = "POST",
            sign: str = "TC3-HMAC-SHA256") -> vpc_client.VpcClient:
    http = HttpProfile(endpoint=f"{emu.host}:{emu.port}", protocol="http", reqMethod=method)
    return vpc_client.VpcClient(sdk_common.Credential(DEMO_SECRET_ID, key), "ap-guangzhou",
                                ClientProfile(signMethod=sign, httpProfile=http))


def test_sdk_create_describe_delete(emu: Emulator) -> None:
    """The SDK creates, describes (until AVAILABLE) and deletes a tunnel."""
    client = _client(emu)
    req = models.CreateVpnConnectionRequest()
    body = tunnel_request()
    del body["IPSECOptionsSpecification"]  # its deprecated field warns on the SDK side
    req.from_json_string(json.dumps(body))
    created = client.CreateVpnConnection(req).VpnConnection
    assert created.State == "PENDING"
    describe = models.DescribeVpnConnectionsRequest()
    describe.VpnConnectionIds = [created.VpnConnectionId]
    deadline = time.monotonic() + 5
    while client.DescribeVpnConnections(describe).VpnConnectionSet[0].State != "AVAILABLE":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    delete = models.DeleteVpnConnectionRequest()
    delete.VpnGatewayId, delete.VpnConnectionId = "vpngw-demo0001", created.VpnConnectionId
    deleted = client.DeleteVpnConnection(delete)
    task = models.DescribeVpcTaskResultRequest()
    task.TaskId = deleted.RequestId  # the async call's RequestId is its TaskId (§3.7)
    assert client.DescribeVpcTaskResult(task).Status == "RUNNING"
    task.TaskId = "no-such-task"
    with pytest.raises(TencentCloudSDKException) as err:
        client.DescribeVpcTaskResult(task)
    assert err.value.code == "ResourceNotFound"


def test_sdk_wrong_key_signature_failure(emu: Emulator) -> None:
    """With a wrong SecretKey the SDK raises AuthFailure.SignatureFailure."""
    with pytest.raises(TencentCloudSDKException) as err:
        _client(emu, key="wrong-key").DescribeVpcs(models.DescribeVpcsRequest())
    assert err.value.code == "AuthFailure.SignatureFailure"
    assert err.value.requestId


@pytest.mark.parametrize(("method", "sign"), [
    ("GET", "TC3-HMAC-SHA256"), ("GET", "HmacSHA1"), ("POST", "HmacSHA256"),
])
def test_sdk_other_transports(emu: Emulator, method: str, sign: str) -> None:
    """The SDK's GET and v1 (HmacSHA1/HmacSHA256) modes verify too."""
    req = models.DescribeVpnGatewaysRequest()
    req.Filters = [models.FilterObject()]
    req.Filters[0].Name, req.Filters[0].Values = "vpc-id", ["vpc-demo0001"]
    resp = _client(emu, method=method, sign=sign).DescribeVpnGateways(req)
    assert [g.VpnGatewayId for g in resp.VpnGatewaySet] == ["vpngw-demo0001"]
