"""The receiving side of a refused message: who the receiver is (`identify`), and how a receiver with
its own table reads an error (`reading`)."""

from alimail_mcp.diagnosis.receiver.identify import detect

__all__ = ["detect"]
