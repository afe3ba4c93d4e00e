"""plan_secure_setup: the plan to secure a domain's mail (SPF, DKIM, DMARC stages from the live DNS),
S/MIME eligibility and certificate checks, and what the sender filters cost. Entry point:
`secure_setup.plan.plan_secure_setup`; result models in `secure_setup.models` (cheap to import)."""
