"""The Tag service (API 2018-08-13) on the emulator: ModifyResourceTags on tunnels.

A tunnel's tags are its ``TagSet`` (what DescribeVpnConnections shows), so the Tag service
and the VPC API agree by construction. The rules are written here on their own (never
imported from the client's :mod:`vpnkit.tags`), so a client bug shows up in tests:

* ``Resource``: the six-segment name ``qcs::vpc:<region>:uin/[<uin>]:vpnx/<id>`` (ref §1.2
  notes, TF ``BuildTagResourceName``); anything else, or a tunnel that does not exist in that
  region -> ``InvalidParameterValue.ResourceDescriptionError`` (资源描述错误, the one resource
  code the action lists; the docs name none for an unknown resource).
* ``ReplaceTags``/``DeleteTags``: one at least (neither: ``MissingParameter``, the docs name
  no code); an empty array, more than 10 tags (cloud.tencent.com/document/api/651/35322) ->
  ``InvalidParameter.Tag``; a key in both -> ``InvalidParameterValue.DeleteTagsParamError``.
  A key to delete is checked only for being empty: the others' rules are for binding.
* Keys 1-127, values up to 255 characters, no leading/trailing space, letters, digits, inner
  spaces and ``+ - = . _ : / @ ( ) [ ] , ; > <`` (full-width ``＋ － ＝ ／ ＠ （ ） 【 】 ：``) only
  ("Use Limits", tencentcloud.com/document/product/651/13354) -> ``TagKeyEmpty``,
  ``TagKeyLengthExceeded``, ``TagKeyCharacterIllegal``, ``TagValueLengthExceeded``,
  ``TagValueCharacterIllegal``; reserved prefixes ``qcs:``/``project``/``项目`` (Use Limits)
  and ``qcloud``/``tencent`` (PYSDK errorcodes) -> ``InvalidParameter.ReservedTagKey``.
* At most 50 tags per resource after the change -> ``LimitExceeded.ResourceAttachedTags``.
* Deleting a key the tunnel does not have is no error (the call states the end result).

Codes: tencentcloud-sdk-go-intl-en ``tag/v20180813/client.go``, ModifyResourceTags.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any

from vpnkit.emulator.codes import EmulatorError
from vpnkit.emulator.schema import STR, ListOf, Obj

__all__ = ["ACTIONS", "MUTATING", "SCHEMAS", "VERSION", "modify_resource_tags"]

VERSION = "2018-08-13"
MAX_PER_REQUEST = 10
MAX_PER_RESOURCE = 50
_RESERVED = ("qcs:", "project", "项目", "qcloud", "tencent")
_SPECIAL = frozenset("+-=._:/@()[],;><＋－＝／＠（）【】：")
_RESOURCE = re.compile(r"qcs::vpc:(?P<region>[a-z]{2}-[a-z]+(?:-[a-z0-9]+)*):uin/[0-9]*:"
                       r"vpnx/(?P<id>vpnx-[a-z0-9]{8})\Z")

SCHEMAS: dict[str, Obj] = {
    # The Tag model: TagKey and TagValue required on input; Category is an output field.
    "ModifyResourceTags": Obj({
        "Resource": STR,
        "ReplaceTags": ListOf(Obj({"TagKey": STR, "TagValue": STR, "Category": STR},
                                  frozenset({"TagKey", "TagValue"}))),
        "DeleteTags": ListOf(Obj({"TagKey": STR}, frozenset({"TagKey"}))),
    }, frozenset({"Resource"})),
}
ACTIONS: tuple[str, ...] = tuple(SCHEMAS)
MUTATING = frozenset({"ModifyResourceTags"})


def _err(code: str, message: str) -> EmulatorError:
    return EmulatorError(code, message)


def _legal(text: str) -> bool:
    return text == text.strip(" ") and all(
        ch in _SPECIAL or ch == " " or unicodedata.category(ch)[0] in "LN" for ch in text)


#: a tag key / value ("Use Limits"): the most characters, the code past it, the code for a
#: character not allowed
_TEXT_RULES = {
    "key": (127, "InvalidParameterValue.TagKeyLengthExceeded",
            "InvalidParameterValue.TagKeyCharacterIllegal"),
    "value": (255, "InvalidParameterValue.TagValueLengthExceeded",
              "InvalidParameterValue.TagValueCharacterIllegal"),
}


def _check_text(text: str, path: str, kind: str) -> None:
    """A tag ``kind`` ("key", "value") within its length, of the allowed characters only."""
    limit, too_long, illegal = _TEXT_RULES[kind]
    if len(text) > limit:
        raise _err(too_long, f"`{path}` is longer than {limit} characters.")
    if not _legal(text):
        raise _err(illegal, f"`{path}` holds a character tag {kind}s may not hold.")


def _check_request(p: Mapping[str, Any]) -> tuple[dict[str, str], list[str]]:
    if "ReplaceTags" not in p and "DeleteTags" not in p:
        raise _err("MissingParameter", "Give ReplaceTags or DeleteTags.")
    for name in ("ReplaceTags", "DeleteTags"):
        if name in p and not 1 <= len(p[name]) <= MAX_PER_REQUEST:
            raise _err("InvalidParameter.Tag", f"`{name}` must hold 1 to {MAX_PER_REQUEST} "
                       "tags.")
    replace: dict[str, str] = {}
    for i, tag in enumerate(p.get("ReplaceTags", [])):
        key, value = tag["TagKey"], tag["TagValue"]
        if not key:
            raise _err("InvalidParameterValue.TagKeyEmpty", f"`ReplaceTags.{i}.TagKey` is empty.")
        _check_text(key, f"ReplaceTags.{i}.TagKey", "key")
        if key.startswith(_RESERVED):
            raise _err("InvalidParameter.ReservedTagKey",
                       f"`ReplaceTags.{i}.TagKey` starts with a system-reserved prefix.")
        _check_text(value, f"ReplaceTags.{i}.TagValue", "value")
        if key in replace:
            raise _err("InvalidParameter.Tag", f"Tag key {key!r} is given twice.")
        replace[key] = value
    delete: list[str] = []
    for i, tag in enumerate(p.get("DeleteTags", [])):
        key = tag["TagKey"]
        if not key:  # only a key the resource has can matter: its length and characters
            raise _err("InvalidParameterValue.TagKeyEmpty", f"`DeleteTags.{i}.TagKey` is empty.")
        if key in replace:
            raise _err("InvalidParameterValue.DeleteTagsParamError",
                       f"Tag key {key!r} is in both ReplaceTags and DeleteTags.")
        delete.append(key)
    return replace, delete


def modify_resource_tags(p: Mapping[str, Any],
                         tunnels_of: Callable[[str], dict[str, dict[str, Any]] | None]
                         ) -> dict[str, Any]:
    """ModifyResourceTags: change the ``TagSet`` of the tunnel ``Resource`` names.

    ``tunnels_of(region)`` returns the live tunnels of a region (None: no such region).
    """
    replace, delete = _check_request(p)
    found = _RESOURCE.match(p["Resource"])
    tunnels = tunnels_of(found["region"]) if found else None
    tunnel = tunnels.get(found["id"]) if tunnels is not None and found else None
    if tunnel is None:
        raise _err("InvalidParameterValue.ResourceDescriptionError",
                   f"The resource {p['Resource']!r} is not a tunnel of this account.")
    tags = {t["Key"]: t.get("Value", "") for t in tunnel["TagSet"]}
    for key in delete:
        tags.pop(key, None)
    tags.update(replace)
    if len(tags) > MAX_PER_RESOURCE:
        raise _err("LimitExceeded.ResourceAttachedTags", f"The resource would have {len(tags)} "
                   f"tags; at most {MAX_PER_RESOURCE}.")
    tunnel["TagSet"] = [{"Key": k, "Value": v} for k, v in tags.items()]
    return {}
