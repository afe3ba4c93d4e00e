"""The old name of diagnosis/receiver/reading.py, kept only for diagnosis/classify.py and fact.py,
which import it while mail parsing moves to its own package; new code imports the receiver package."""

from alimail_mcp.diagnosis.receiver.reading import reason, reason_of

__all__ = ["reason", "reason_of"]
