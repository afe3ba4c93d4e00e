"""Pseudo status codes for reasons a reader decided without a code (Sisimai's internal x.0.9xx codes)."""

from __future__ import annotations

_TEMPORARY = {
    "authfailure": "4.0.926",
    "badreputation": "4.0.975",
    "blocked": "4.0.971",
    "contenterror": "4.0.960",
    "expired": "4.0.947",
    "failedstarttls": "4.0.976",
    "filtered": "4.0.924",
    "mailboxfull": "4.0.922",
    "networkerror": "4.0.944",
    "notaccept": "4.0.932",
    "notcompliantrfc": "4.0.974",
    "onhold": "4.0.901",
    "rejected": "4.0.918",
    "requireptr": "4.0.973",
    "securityerror": "4.0.970",
    "spamdetected": "4.0.980",
    "speeding": "4.0.946",
    "suppressed": "4.0.903",
    "systemerror": "4.0.930",
    "systemfull": "4.0.931",
    "toomanyconn": "4.0.945",
    "undefined": "4.0.900",
}
_PERMANENT = {
    "authfailure": "5.0.926",
    "badreputation": "5.0.975",
    "blocked": "5.0.971",
    "contenterror": "5.0.960",
    "exceedlimit": "5.0.923",
    "expired": "5.0.947",
    "failedstarttls": "5.0.976",
    "filtered": "5.0.910",
    "hasmoved": "5.0.916",
    "hostunknown": "5.0.912",
    "mailboxfull": "5.0.922",
    "mailererror": "5.0.939",
    "mesgtoobig": "5.0.934",
    "networkerror": "5.0.944",
    "norelaying": "5.0.909",
    "notaccept": "5.0.932",
    "notcompliantrfc": "5.0.974",
    "onhold": "5.0.901",
    "policyviolation": "5.0.972",
    "rejected": "5.0.918",
    "requireptr": "5.0.973",
    "securityerror": "5.0.970",
    "spamdetected": "5.0.980",
    "speeding": "5.0.946",
    "suppressed": "5.0.903",
    "suspend": "5.0.921",
    "systemerror": "5.0.930",
    "systemfull": "5.0.931",
    "syntaxerror": "5.0.902",
    "toomanyconn": "5.0.945",
    "userunknown": "5.0.911",
    "undefined": "5.0.900",
    "virusdetected": "5.0.981",
}


def pseudo_status(reason: str, *, temporary: bool = False) -> str:
    """A stand-in x.0.9xx code for `reason`; '' when the reason has none."""
    if not reason:
        return ""
    table = _TEMPORARY if temporary else _PERMANENT
    return table.get(reason) or _PERMANENT.get(reason, "")
