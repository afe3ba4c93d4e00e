"""mail.delivery_status: RFC 3464 field names."""

from __future__ import annotations

from alimail_mcp.mail.delivery_status import PER_MESSAGE_FIELDS, PER_RECIPIENT_FIELDS, spelled


def test_field_names_are_spelled_as_the_rfc_spells_them() -> None:
    assert spelled("final-recipient") == "Final-Recipient"
    assert spelled("REPORTING-MTA") == "Reporting-MTA"
    assert spelled("x-actual-recipient") == "X-Actual-Recipient"
    assert spelled("x-unknown-field") == "x-unknown-field"


def test_per_message_and_per_recipient_fields_do_not_overlap() -> None:
    assert not {n.lower() for n in PER_MESSAGE_FIELDS} & {n.lower() for n in PER_RECIPIENT_FIELDS}
