"""Bounce and SMTP-error diagnosis (diagnose_send_error).

The folders are the pipeline: `message` reads the input (with the mail package's MIME and header
readers), `rfc3464`/`arf`/`rfc3834` read the standards, `lhost/` one module per sending MTA family,
`receiver/` who is on the other end (the registry in skills/receivers.yaml, identification, and the
receivers whose codes mean something of their own), `reason/` the reason step, `fact` the
per-recipient result, `catalog` the error catalog (skills/errors.yaml), `explain` the tool's answer,
`live` the DNS checks, and `args` the tool's arguments.

Entry points (imported lazily so that `models` stays cheap to import):
- `engine.diagnose(error_text, *, domain=None, settings=None, client=None, live=True)` (async)
- `engine.diagnose_offline(error_text, *, domain=None)`: the same without DNS, synchronous
- `classify.analyze(data)`: parse and classify only (the bench)
"""
