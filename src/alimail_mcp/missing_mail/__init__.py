"""diagnose_missing_mail: why mail sent to an Alibaba Mail mailbox did not show up. Live MX/SPF of the
domain, the sender's SPF/DMARC, the header analysis and the bounce reading become signals that rank the
causes of skills/missing_mail.yaml. Entry point: `missing_mail.diagnose.diagnose_missing_mail`; result
models in `missing_mail.models` (cheap to import)."""
