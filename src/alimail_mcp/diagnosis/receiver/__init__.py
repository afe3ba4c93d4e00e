"""The receiving side of a refused message: who the receiver is (`identify`, from the registry in
skills/receivers.yaml), and how a receiver with its own table reads an error (`reading`)."""

from alimail_mcp.diagnosis.receiver.identify import detect

__all__ = ["detect"]
