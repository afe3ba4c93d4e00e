"""The reason step: decide a recipient's bounce reason from its status code, error text and command.

The order of the checks follows Sisimai 5's (5.2.0), so that the same evidence gives the same reason:

1. a reason the reader was sure of is kept (unless it is one worth re-checking);
2. a 2.x.x status is a delivery;
3. the "strong" reasons, each with a small rule over status, text and command (`_STRONG`);
4. otherwise the status code's reason, re-checked against the phrase tables when the code is
   vague (`_WEAK` order), then the status class, the diagnostic type, the reply code;
5. otherwise expired (delayed action), vacation, onhold (some text) or undefined (none).

The phrases themselves are data in skills/reasons.yaml.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from alimail_mcp.diagnosis.reason.tables import tables

RECHECK = frozenset(
    {
        "undefined",
        "onhold",
        "systemerror",
        "securityerror",
        "networkerror",
        "hostunknown",
        "userunknown",
        "expired",
    }
)
"""Reasons a reader or a status code may give that the phrase tables are allowed to override."""


@dataclass(slots=True)
class Evidence:
    """What the reason step looks at for one recipient."""

    reason: str = ""
    status: str = ""
    reply_code: str = ""
    diagnosis: str = ""
    spec: str = "SMTP"
    action: str = ""
    command: str = ""

    @property
    def text(self) -> str:
        return self.diagnosis.lower()


def decide(ev: Evidence) -> str:
    """The reason for one recipient (never empty: `undefined` when nothing is known)."""
    if ev.reason and ev.reason not in RECHECK:
        return ev.reason
    if ev.status.startswith("2."):
        return "delivered"
    reason = ""
    if ev.spec in ("SMTP", ""):
        reason = next((name for name, rule in _STRONG if rule(ev)), "")
    if reason and reason != "undefined":
        return reason
    reason = _fallback(ev)
    if reason == "undefined":
        reason = ""
    if not reason and ev.action == "delayed":
        reason = "expired"
    if reason:
        return reason
    if tables().match("vacation", ev.text):
        return "vacation"
    return "onhold" if ev.diagnosis else "undefined"


def _fallback(ev: Evidence) -> str:
    if ev.reason:
        return ev.reason
    t = tables()
    text = ev.text
    reason = t.status_reason(ev.status)
    recheck = not reason or reason == "expired" or reason in RECHECK or ev.spec != "SMTP"
    if not recheck:
        return reason
    matched = next((name for name in _WEAK if t.match(name, text)), "")
    if matched:
        return matched
    if reason:
        return reason
    klass = ev.status[:3]
    if klass in ("4.6", "5.6"):
        return "contenterror"
    if klass in ("4.7", "5.7"):
        return "securityerror"
    if ev.spec in ("X-UNIX", "X-POSTFIX"):
        return "mailererror"
    if _syntaxerror(ev):
        return "syntaxerror"
    if ev.action.startswith(("delayed", "expired")):
        return "expired"
    if ev.command in ("EHLO", "HELO"):
        return "blocked"
    return ""


def _code_is(ev: Evidence, reason: str) -> bool:
    return tables().status_reason(ev.status) == reason


def _plain(reason: str, *, needs_status: bool = False, by_code: bool = True) -> Callable[[Evidence], bool]:
    """The common rule: the reader said so, the status code says so, or the text matches."""

    def rule(ev: Evidence) -> bool:
        if needs_status and not ev.status:
            return False
        if ev.reason == reason:
            return True
        if by_code and _code_is(ev, reason):
            return True
        return tables().match(reason, ev.text)

    return rule


def _mesgtoobig(ev: Evidence) -> bool:
    if ev.reason == "mesgtoobig" or _code_is(ev, "mesgtoobig"):
        return True
    if _code_is(ev, "exceedlimit") or ev.status == "5.2.3":
        return False
    return tables().match("mesgtoobig", ev.text)


def _suspend(ev: Evidence) -> bool:
    return ev.reason == "suspend" or ev.reply_code == "525" or tables().match("suspend", ev.text)


def _contenterror(ev: Evidence) -> bool:
    if ev.reason == "contenterror":
        return True
    if _spamdetected(ev):
        return False
    return _code_is(ev, "contenterror") or tables().match("contenterror", ev.text)


def _hasmoved(ev: Evidence) -> bool:
    return ev.reason == "hasmoved" or tables().match("hasmoved", ev.text)


def _norelaying(ev: Evidence) -> bool:
    if ev.reason in ("securityerror", "systemerror", "undefined"):
        return False
    if ev.command in ("CONN", "EHLO", "HELO"):
        return False
    return tables().match("norelaying", ev.text)


_BEFORE_USERUNKNOWN = ("norelaying", "blocked", "mailboxfull", "hasmoved", "rejected", "notaccept")


def _userunknown(ev: Evidence) -> bool:
    if ev.reason == "userunknown":
        return True
    by_code = tables().status_reason(ev.status)
    if by_code == "suspend":
        return False
    if by_code == "userunknown":
        return not any(tables().match(name, ev.text) for name in _BEFORE_USERUNKNOWN)
    if ev.command == "RCPT":
        return tables().match("userunknown", ev.text)
    if not ev.command:
        # Notices written in Chinese rarely name the SMTP command; a recipient that does not
        # exist is refused at RCPT all the same.
        return tables().match_non_english("userunknown", ev.text)
    return False


def _filtered(ev: Evidence) -> bool:
    if ev.reason == "filtered":
        return True
    by_code = tables().status_reason(ev.status)
    if by_code == "suspend":
        return False
    t = tables()
    if by_code == "filtered":
        return t.match("userunknown", ev.text) or t.match("filtered", ev.text)
    if ev.command in ("CONN", "EHLO", "HELO", "MAIL", "RCPT"):
        return False
    return t.match("filtered", ev.text) or t.match("userunknown", ev.text)


def _rejected(ev: Evidence) -> bool:
    if ev.reason == "rejected":
        return True
    by_code = tables().status_reason(ev.status) or "undefined"
    if by_code == "rejected":
        return True
    text = ev.text
    if ev.command == "MAIL":
        return tables().match("rejected", text)
    if ev.command == "DATA":
        return by_code != "userunknown" and tables().match("rejected", text)
    if by_code in ("onhold", "undefined", "securityerror", "systemerror"):
        return tables().match("rejected", text)
    return False


def _hostunknown(ev: Evidence) -> bool:
    if ev.reason == "hostunknown":
        return True
    if _code_is(ev, "hostunknown"):
        return not tables().match("networkerror", ev.text)
    return tables().match("hostunknown", ev.text)


def _spamdetected(ev: Evidence) -> bool:
    if not ev.status:
        return False
    if ev.reason == "spamdetected" or _code_is(ev, "spamdetected"):
        return True
    if ev.command in ("CONN", "EHLO", "HELO", "MAIL", "RCPT"):
        return False
    return tables().match("spamdetected", ev.text)


def _syntaxerror(ev: Evidence) -> bool:
    if ev.reason == "syntaxerror":
        return True
    code = ev.reply_code
    return len(code) == 3 and code[0] in "45" and code[1] == "0" and code[2] in "01234567"


_STRONG: tuple[tuple[str, Callable[[Evidence], bool]], ...] = (
    ("mailboxfull", _plain("mailboxfull", needs_status=True)),
    ("mesgtoobig", _mesgtoobig),
    ("exceedlimit", _plain("exceedlimit", needs_status=True)),
    ("suspend", _suspend),
    ("hasmoved", _hasmoved),
    ("norelaying", _norelaying),
    ("authfailure", _plain("authfailure")),
    ("userunknown", _userunknown),
    ("filtered", _filtered),
    ("requireptr", _plain("requireptr")),
    ("notcompliantrfc", _plain("notcompliantrfc", by_code=False)),
    ("badreputation", _plain("badreputation", by_code=False)),
    ("contenterror", _contenterror),
    ("rejected", _rejected),
    ("hostunknown", _hostunknown),
    ("spamdetected", _spamdetected),
    ("speeding", _plain("speeding", by_code=False)),
    ("toomanyconn", _plain("toomanyconn")),
    ("blocked", _plain("blocked")),
)

_WEAK = (
    "mailboxfull",
    "authfailure",
    "badreputation",
    "speeding",
    "spamdetected",
    "virusdetected",
    "policyviolation",
    "norelaying",
    "systemerror",
    "networkerror",
    "suspend",
    "contenterror",
    "systemfull",
    "notaccept",
    "expired",
    "failedstarttls",
    "securityerror",
    "suppressed",
    "mailererror",
)


_TEXT_ORDER = (
    "mailboxfull",
    "mesgtoobig",
    "exceedlimit",
    "suspend",
    "authfailure",
    "userunknown",
    "filtered",
    "requireptr",
    "notcompliantrfc",
    "badreputation",
    "rejected",
    "hostunknown",
    "spamdetected",
    "speeding",
    "toomanyconn",
    "blocked",
    "policyviolation",
    "virusdetected",
    "failedstarttls",
    "securityerror",
    "systemerror",
    "networkerror",
    "expired",
    "contenterror",
    "hasmoved",
    "systemfull",
    "notaccept",
    "mailererror",
    "norelaying",
    "suppressed",
)


def match_text(text: str, status: str = "") -> str:
    """The reason of an error text read on its own, with no bounce around it (a pasted reply line).

    Sisimai 5's order for bare texts (its `Reason.Match`), with the reasons it only reads in bounces
    (reverse DNS, RFC 5322, reputation, policy, virus) put where its bounce order has them:
    phrases first, then `X-UNIX;` for mailer errors, then the status code; `undefined` otherwise.
    """
    lowered = text.lower()
    t = tables()
    for name in _TEXT_ORDER:
        if t.match(name, lowered):
            return name
    if lowered.lstrip().startswith("x-unix;"):
        return "mailererror"
    return t.status_reason(status) or "undefined"
