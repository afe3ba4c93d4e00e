"""check_client_settings: a mail client's POP/IMAP/SMTP settings compared with the provider profile,
with an optional probe of the configured servers. check.py is the entry point; models.py the result."""
