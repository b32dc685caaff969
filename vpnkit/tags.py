"""Tencent's Tag service (API 2018-08-13) for tunnels: names, rules, diffs; pure, no I/O.

ModifyVpnConnectionAttribute has no ``Tags`` (ref §3.6), so a live tunnel's tags change
through the Tag service, as the Terraform provider does (ref §1.2 notes): ``ModifyResourceTags``
(tencentcloud.com/document/api/651/33012) on the six-segment name
``qcs::vpc:<region>:uin/:vpnx/<id>`` (TF ``BuildTagResourceName("vpc","vpnx",region,id)``),
with ``ReplaceTags`` (keys to add or re-value) and ``DeleteTags`` (keys to unbind). The
sending is :meth:`vpnkit.client.VpcClient.modify_resource_tags`.

Rules (client side, so nothing is sent that the service refuses):

* ``ReplaceTags`` and ``DeleteTags``: at least one, neither an empty array, at most 10 tags
  each ("标签数量不超过10个", the 2018-08-13 API page, cloud.tencent.com/document/api/651/35322),
  no key in both (``InvalidParameterValue.DeleteTagsParamError``).
* A key is 1-127 and a value at most 255 Unicode characters, neither starts or ends with a
  space; letters (any script), digits, inner spaces and ``+ - = . _ : / @ ( ) [ ] , ; > <``
  (and the full-width ``＋ － ＝ ／ ＠ （ ） 【 】 ：``) only ("Use Limits",
  tencentcloud.com/document/product/651/13354). Keys starting with ``qcs:``, ``project`` or
  ``项目`` (Use Limits) or ``qcloud``/``tencent`` (PYSDK ``tag/v20180813/errorcodes.py``,
  ``ReservedTagKey``: "系统预留标签键 qcloud、tencent和project 禁止创建") are reserved.
* At most 50 tags on one resource (Use Limits; ``LimitExceeded.ResourceAttachedTags``).

The codes are the ones tencentcloud-sdk-go-intl-en ``tag/v20180813/client.go`` lists for
ModifyResourceTags. An empty value is accepted: Use Limits says 1-255 characters, but the
action lists no ``TagValueEmpty`` and the VPC ``Tag`` model leaves Value optional (ref §2.5).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from vpnkit.issue import Issue

__all__ = ["MAX_PER_REQUEST", "MAX_PER_RESOURCE", "RESERVED_PREFIXES", "SERVICE", "VERSION",
           "TagDiff", "TagResult", "issues", "parse_resource", "resource_name", "tag_diff",
           "to_wire"]

SERVICE = "tag"
VERSION = "2018-08-13"
MAX_PER_REQUEST = 10
MAX_PER_RESOURCE = 50
KEY_MAX, VALUE_MAX = 127, 255
RESERVED_PREFIXES = ("qcs:", "project", "项目", "qcloud", "tencent")
_SPECIAL = frozenset("+-=._:/@()[],;><＋－＝／＠（）【】：")
_RESOURCE = re.compile(r"qcs::vpc:(?P<region>[a-z]{2}-[a-z]+(?:-[a-z0-9]+)*):uin/[0-9]*:"
                       r"vpnx/(?P<id>vpnx-[a-z0-9]{8})\Z")


def resource_name(region: str, vpn_connection_id: str) -> str:
    """The six-segment name of a tunnel: ``qcs::vpc:<region>:uin/:vpnx/<id>`` (TF)."""
    return f"qcs::vpc:{region}:uin/:vpnx/{vpn_connection_id}"


def parse_resource(resource: str) -> tuple[str, str] | None:
    """``(region, vpn_connection_id)`` of a tunnel's six-segment name; None for others."""
    found = _RESOURCE.match(resource)
    return (found["region"], found["id"]) if found else None


def _allowed(text: str) -> bool:
    return all(ch in _SPECIAL or ch == " " or unicodedata.category(ch)[0] in "LN"
               for ch in text)


def _text_issue(what: str, text: str, limit: int, code_len: str, code_char: str,
                empty_ok: bool) -> tuple[str, str] | None:
    if not text and not empty_ok:
        return "InvalidParameterValue.TagKeyEmpty", f"tag {what} must not be empty"
    if len(text) > limit:
        return code_len, f"tag {what} {text[:20]!r}... is {len(text)} characters; at most {limit}"
    if text != text.strip(" ") or not _allowed(text):
        return code_char, (f"tag {what} {text!r} starts or ends with a space or holds a "
                           "character the Tag service refuses")
    return None


def issues(replace: Mapping[str, str] | None, delete: Sequence[str] | None) -> list[Issue]:
    """Every problem of one ModifyResourceTags change (empty when it may be sent)."""
    out: list[Issue] = []
    replace = dict(replace or {})
    delete = list(delete or [])
    if not replace and not delete:
        out.append(Issue("replace", "MissingParameter",
                         "give tags to replace or keys to delete (an empty array is refused)"))
    for name, count in (("replace", len(replace)), ("delete", len(delete))):
        if count > MAX_PER_REQUEST:
            out.append(Issue(name, "InvalidParameter.Tag",
                             f"{count} tags; at most {MAX_PER_REQUEST} per request"))
    for i, (key, value) in enumerate(replace.items()):
        bad = _text_issue("key", key, KEY_MAX, "InvalidParameterValue.TagKeyLengthExceeded",
                          "InvalidParameterValue.TagKeyCharacterIllegal", empty_ok=False)
        if bad is None and key.startswith(RESERVED_PREFIXES):
            bad = ("InvalidParameter.ReservedTagKey", f"tag key {key!r} starts with a "
                   f"reserved prefix ({', '.join(RESERVED_PREFIXES)})")
        if bad:
            out.append(Issue(f"replace[{i}].key", *bad))
        bad = _text_issue("value", value, VALUE_MAX,
                          "InvalidParameterValue.TagValueLengthExceeded",
                          "InvalidParameterValue.TagValueCharacterIllegal", empty_ok=True)
        if bad:
            out.append(Issue(f"replace[{i}].value", *bad))
    for i, key in enumerate(delete):
        if not key:
            out.append(Issue(f"delete[{i}]", "InvalidParameterValue.TagKeyEmpty",
                             "tag key must not be empty"))
        elif key in replace:
            out.append(Issue(f"delete[{i}]", "InvalidParameterValue.DeleteTagsParamError",
                             f"tag key {key!r} is both replaced and deleted"))
    return out


@dataclass(frozen=True)
class TagDiff:
    """What ModifyResourceTags must do to one tunnel: keys to (re)value, keys to unbind."""

    replace: tuple[tuple[str, str], ...] = ()
    delete: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.replace or self.delete)

    def applied(self, live: Mapping[str, str]) -> bool:
        """True when ``live`` (key -> value) shows this change made."""
        return (all(live.get(k) == v for k, v in self.replace)
                and not any(k in live for k in self.delete))

    def batches(self) -> list[tuple[dict[str, str], list[str]]]:
        """The change in requests of at most 10 replaced and 10 deleted tags each."""
        out = []
        for start in range(0, max(len(self.replace), len(self.delete)), MAX_PER_REQUEST):
            end = start + MAX_PER_REQUEST
            out.append((dict(self.replace[start:end]), list(self.delete[start:end])))
        return out


@dataclass(frozen=True)
class TagResult:
    """What :meth:`~vpnkit.client.VpcClient.modify_resource_tags` did: ``outcome`` is ``ok``
    or ``reconciled`` (the answer was lost; a read showed the change made)."""

    resource: str
    request_id: str | None
    outcome: str


def to_wire(resource: str, replace: Mapping[str, str] | None,
            delete: Sequence[str] | None) -> dict[str, object]:
    """The ModifyResourceTags body (an empty side is left out: it must not be ``[]``)."""
    body: dict[str, object] = {"Resource": resource}
    if replace:
        body["ReplaceTags"] = [{"TagKey": k, "TagValue": v} for k, v in replace.items()]
    if delete:
        body["DeleteTags"] = [{"TagKey": k} for k in delete]
    return body


def tag_diff(want: Iterable[tuple[str, str]], have: Iterable[tuple[str, str]]) -> TagDiff:
    """The change from ``have`` to exactly ``want`` (pairs of key, value).

    Live keys with a reserved prefix are the system's (``qcs:...``): never deleted.
    """
    wanted = dict(want)
    live = dict(have)
    replace = tuple((k, v) for k, v in wanted.items() if live.get(k) != v)
    delete = tuple(k for k in live if k not in wanted and not k.startswith(RESERVED_PREFIXES))
    return TagDiff(replace, delete)
