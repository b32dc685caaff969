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


def _available_route_tunnel(client: vpc_client.VpcClient) -> str:
    req = models.CreateVpnConnectionRequest()
    body = tunnel_request(RouteType="StaticRoute", SecurityPolicyDatabases=[])
    del body["IPSECOptionsSpecification"]
    req.from_json_string(json.dumps(body))
    tid = str(client.CreateVpnConnection(req).VpnConnection.VpnConnectionId)
    describe = models.DescribeVpnConnectionsRequest()
    describe.VpnConnectionIds = [tid]
    deadline = time.monotonic() + 5
    while client.DescribeVpnConnections(describe).VpnConnectionSet[0].State != "AVAILABLE":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    return tid


def test_sdk_day_two_actions(emu: Emulator) -> None:
    """The unmodified SDK calls Modify, Reset, Generate, the gateway routes and the vendor
    actions on the emulator and reads every answer into its models."""
    client = _client(emu)
    tid = _available_route_tunnel(client)
    modify = models.ModifyVpnConnectionAttributeRequest()
    modify.from_json_string(json.dumps({"VpnConnectionId": tid, "VpnConnectionName": "sdk-new",
                                        "PreShareKey": "sdk-rotated-key", "DpdEnable": 1,
                                        "DpdTimeout": "40"}))
    assert client.ModifyVpnConnectionAttribute(modify).RequestId
    reset = models.ResetVpnConnectionRequest()
    reset.VpnGatewayId, reset.VpnConnectionId = "vpngw-demo0001", tid
    assert client.ResetVpnConnection(reset).RequestId
    gen = models.GenerateVpnConnectionDefaultHealthCheckIpRequest()
    gen.VpnGatewayId = "vpngw-demo0001"
    pair = client.GenerateVpnConnectionDefaultHealthCheckIp(gen)
    assert pair.HealthCheckLocalIp != pair.HealthCheckRemoteIp
    create = models.CreateVpnGatewayRoutesRequest()
    create.from_json_string(json.dumps({"VpnGatewayId": "vpngw-demo0001", "Routes": [{
        "DestinationCidrBlock": "172.0.0.0/16", "InstanceType": "VPNCONN", "InstanceId": tid,
        "Priority": 0, "Status": "ENABLE"}]}))
    [route] = client.CreateVpnGatewayRoutes(create).Routes
    assert route.RouteId.startswith("vpnr-") and route.Type == "Static"
    describe = models.DescribeVpnGatewayRoutesRequest()
    describe.VpnGatewayId, describe.Offset, describe.Limit = "vpngw-demo0001", 0, 20
    listed = client.DescribeVpnGatewayRoutes(describe)
    assert listed.TotalCount == 1 and listed.Routes[0].InstanceId == tid
    delete = models.DeleteVpnGatewayRoutesRequest()
    delete.VpnGatewayId, delete.RouteIds = "vpngw-demo0001", [route.RouteId]
    assert client.DeleteVpnGatewayRoutes(delete).RequestId
    vendors = client.DescribeCustomerGatewayVendors(
        models.DescribeCustomerGatewayVendorsRequest()).CustomerGatewayVendorSet
    assert {v.VendorName for v in vendors} == {"cisco", "h3c"}
    download = models.DownloadCustomerGatewayConfigurationRequest()
    download.VpnGatewayId, download.VpnConnectionId, download.InterfaceName = (
        "vpngw-demo0001", tid, "eth0")
    download.CustomerGatewayVendor = vendors[1]
    text = client.DownloadCustomerGatewayConfiguration(download).CustomerGatewayConfiguration
    assert tid in text and "sdk-rotated-key" not in text
