"""The result models import cheaply: no DNS library, no readers, no knowledge files."""

from __future__ import annotations

import subprocess
import sys


def test_models_import_without_engine() -> None:
    code = (
        "import sys; import alimail_mcp.diagnosis.models as m; "
        "heavy = [n for n in ('dns', 'dns.resolver', 'yaml', 'alimail_mcp.diagnosis.classify', "
        "'alimail_mcp.diagnosis.lhost', 'email.feedparser') if n in sys.modules]; "
        "print(','.join(heavy)); assert m.DiagnosisResult.model_json_schema()"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == ""
