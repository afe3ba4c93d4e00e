"""Choose one recovery path for a situation, noting the facts the choice had to assume."""

from __future__ import annotations

from alimail_mcp.recovery.models import RecoveryPath
from alimail_mcp.recovery.situation import Situation


def choose_path(situation: Situation) -> RecoveryPath:
    """Account state first, then what self-service can still do, then a lock, then the app, then a reset."""
    facts = situation.facts
    if situation.state is not None:
        return "webmail-service"
    no_self_service = facts.get("has_secure_phone") is False and facts.get("has_security_questions") is False
    # a lock the user says is over no longer explains a failing login: the password does
    lifted = bool(facts.get("lock_lifted"))
    forgot, locked = facts.get("forgot_password"), facts.get("locked") and not lifted
    # a lock alone lifts by waiting; only a known (or, without a lock, likely) lost password needs the admin
    if no_self_service and (forgot is True or (forgot is None and not locked)):
        if facts.get("app_logged_in") and not locked:
            return "qr-login"
        _assume_forgot(
            situation, "with no secure phone and no security questions, a forgotten password is assumed"
        )
        return "contact-admin"
    if locked:
        return "unlock-account"
    app_ready = facts.get("app_logged_in") or (facts.get("has_app") and facts.get("app_logged_in") is None)
    if app_ready and facts.get("forgot_password") is not True:
        if facts.get("app_logged_in") is None:
            situation.assume("app_logged_in", True, "the app is installed; QR login needs it to be signed in")
        return "qr-login"
    _assume_forgot(
        situation,
        "the lock is over and logins still fail, so a wrong or forgotten password is assumed"
        if lifted
        else "no lock or account state was mentioned, so a forgotten password is assumed",
    )
    if facts.get("has_secure_phone") is None and facts.get("has_security_questions") is None:
        situation.assume(
            "has_secure_phone",
            None,
            "not known whether a secure phone number or security questions are set up; the plan assumes at "
            "least one of them is",
        )
    elif facts.get("has_secure_phone") is False and facts.get("has_security_questions") is None:
        situation.assume(
            "has_security_questions",
            True,
            "the secure phone cannot receive the code, so the plan relies on security questions having been "
            "set up; if they were not, the administrator is the fallback",
        )
    elif facts.get("has_security_questions") is False and facts.get("has_secure_phone") is None:
        situation.assume(
            "has_secure_phone",
            True,
            "security questions are not available, so the plan relies on a secure phone number that still "
            "receives SMS; if there is none, the administrator is the fallback",
        )
    return "self-service-reset"


def verification_method(situation: Situation) -> str | None:
    """`sms`, `questions`, or None when either may work."""
    phone, questions = situation.facts.get("has_secure_phone"), situation.facts.get("has_security_questions")
    if phone:
        return "sms"
    if questions or phone is False:
        return "questions"
    if questions is False:
        return "sms"
    return None


def _assume_forgot(situation: Situation, reason: str) -> None:
    if situation.facts.get("forgot_password") is None:
        situation.facts["forgot_password"] = True
        situation.assume("forgot_password", True, reason)
