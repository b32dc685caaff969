"""Why a pair did not come up, read from the two strongSwan daemons' logs (pure, no I/O).

The statuses follow batfish's ``IpsecSessionStatus`` (IKE_PHASE1_FAILED,
IKE_PHASE1_KEY_MISMATCH, IPSEC_PHASE2_FAILED, and UP for IPSEC_SESSION_ESTABLISHED that also
carried traffic); the reason is the IKE notify or the condition the logs show. Each rule below
is a strongSwan 5.9 log line recorded from a real rehearsal on this project's lab (IKEv1 and
IKEv2), most specific first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vpnkit.redact import scrub

__all__ = ["Diagnosis", "Status", "diagnose", "evidence_line"]


class Status:
    """Per-pair session status names (batfish ``IpsecSessionStatus`` where one exists)."""

    UP = "UP"
    IKE_PHASE1_FAILED = "IKE_PHASE1_FAILED"
    IKE_PHASE1_KEY_MISMATCH = "IKE_PHASE1_KEY_MISMATCH"
    IPSEC_PHASE2_FAILED = "IPSEC_PHASE2_FAILED"
    NO_TRAFFIC = "NO_TRAFFIC"
    CONFIG_ERROR = "CONFIG_ERROR"


@dataclass(frozen=True)
class Diagnosis:
    """A status, a named reason, a sentence for people and the log line that shows it."""

    status: str
    reason: str
    detail: str
    evidence: str = ""


_TRANSFORM = {
    "ENCRYPTION_ALGORITHM": "the encryption algorithm",
    "INTEGRITY_ALGORITHM": "the integrity algorithm",
    "PSEUDO_RANDOM_FUNCTION": "the PRF (integrity/hash algorithm)",
    "KEY_EXCHANGE_METHOD": "the DH group",
    "DIFFIE_HELLMAN_GROUP": "the DH group",
    "EXTENDED_SEQUENCE_NUMBERS": "extended sequence numbers",
}

# (regex, phase the rule applies to: "ike", "child" or "any", status, reason, detail)
_RULES: tuple[tuple[re.Pattern[str], str, str, str, str], ...] = tuple(
    (re.compile(p), phase, status, reason, detail) for p, phase, status, reason, detail in (
        (r"no matching peer config found|no peer config found|ID\w* '[^']*' does not match to",
         "ike",
         Status.IKE_PHASE1_FAILED, "IDENTITY_MISMATCH",
         "the responder has no connection for the initiator's identity (local/remote id)"),
        (r"none allows \S+ \S+ authentication using (?:Main|Aggressive) Mode", "ike",
         Status.IKE_PHASE1_FAILED, "EXCHANGE_MODE_MISMATCH",
         "IKEv1 exchange modes differ (main on one side, aggressive on the other)"),
        (r"MAC mismatched|received AUTHENTICATION_FAILED notify|decryption failed\?"
         r"|could not decrypt payloads|verification of .* failed|integrity check failed",
         "ike", Status.IKE_PHASE1_KEY_MISMATCH, "AUTHENTICATION_FAILED",
         "the pre-shared keys differ"),
        (r"no IKE config found for", "ike", Status.IKE_PHASE1_FAILED, "NO_IKE_CONFIG",
         "the responder has no IKE connection for these addresses and this IKE version"),
        (r"no acceptable (\w+) found", "ike", Status.IKE_PHASE1_FAILED, "NO_PROPOSAL_CHOSEN",
         "phase 1 proposals differ: {transform}"),
        (r"received proposals unacceptable|received NO_PROPOSAL_CHOSEN", "ike",
         Status.IKE_PHASE1_FAILED, "NO_PROPOSAL_CHOSEN", "phase 1 proposals differ"),
        (r"peer not responding|giving up after \d+ retransmits", "ike",
         Status.IKE_PHASE1_FAILED, "NO_RESPONSE", "the peer never answered phase 1"),
        (r"traffic selectors .* unacceptable|received TS_UNACCEPTABLE"
         r"|no matching CHILD_SA config found|received INVALID_ID_INFORMATION", "child",
         Status.IPSEC_PHASE2_FAILED, "TS_UNACCEPTABLE",
         "the peer has no policy for this pair of ranges (traffic selectors)"),
        (r"no acceptable (KEY_EXCHANGE_METHOD|DIFFIE_HELLMAN_GROUP) found", "child",
         Status.IPSEC_PHASE2_FAILED, "NO_PROPOSAL_CHOSEN",
         "phase 2 proposals differ: PFS (its DH group, or PFS on one side only)"),
        (r"no acceptable (\w+) found", "child", Status.IPSEC_PHASE2_FAILED,
         "NO_PROPOSAL_CHOSEN", "phase 2 proposals differ: {transform}"),
        (r"no acceptable proposal found|NO_PROPOSAL_CHOSEN", "child",
         Status.IPSEC_PHASE2_FAILED, "NO_PROPOSAL_CHOSEN", "phase 2 proposals differ"),
        (r"peer not responding|giving up after \d+ retransmits", "child",
         Status.IPSEC_PHASE2_FAILED, "NO_RESPONSE", "the peer never answered phase 2"),
    ))

_PREFIX = re.compile(r"^\d\d:\d\d:\d\d \d+\[\w+\] ")


def evidence_line(side: str, line: str) -> str:
    """``side: message`` without strongSwan's time and thread prefix, secrets scrubbed."""
    return scrub(f"{side}: {_PREFIX.sub('', line).strip()}")[:200]


def diagnose(logs: dict[str, str], *, ike_up: bool) -> Diagnosis | None:
    """The first rule that matches a line of either side's log, for the phase reached.

    ``logs`` maps a side's name ("tencent", "idc") to its log text for the attempt;
    ``ike_up`` says whether phase 1 was already established (then only phase 2 rules apply).
    """
    phase = "child" if ike_up else "ike"
    lines = [(side, line) for side, text in logs.items() for line in text.splitlines()]
    for pattern, rule_phase, status, reason, detail in _RULES:
        if rule_phase not in (phase, "any"):
            continue
        for side, line in lines:
            m = pattern.search(line)
            if m is None:
                continue
            transform = m.group(1) if m.groups() else ""
            text = detail.format(transform=_TRANSFORM.get(transform, transform or "?"))
            return Diagnosis(status, reason, text, evidence_line(side, line))
    return None
