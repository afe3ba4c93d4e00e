"""analyze_dmarc_reports: DMARC aggregate reports read safely (unpack, feedback), added up per domain and
source (merge), each source checked live against Alibaba Mail's SPF include and the domain's own record
(senders, spf_groups), and the policy's next step judged (readiness). Entry point:
`dmarc_reports.analyze.analyze_dmarc_reports`; result models in `dmarc_reports.models` (cheap to import)."""
