"""Message-header analysis: the Received chain as hops with delays, authentication verdicts (SPF,
DKIM, DMARC, ARC), spam-filter stamps, and what they mean. Entry point: `headers.analyze.analyze_headers`;
result models in `headers.models` (cheap to import)."""
