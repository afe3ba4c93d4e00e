"""Received: hosts as the bounce readers read them."""

from __future__ import annotations

from alimail_mcp.diagnosis.patterns import rx


def received_hosts(value: str) -> tuple[str, str]:
    """(from-host, by-host) of one Received: value; the from-host prefers a name, else a public IP."""
    if rx(r"qmail[ \t]+.+invoked[ \t]+").search(value):
        return "", ""
    match = rx(r"from[ \t]+(.+)[ \t]+by[ \t]+([^ ]+)").match(value)
    if match:
        sender, by = match.group(1), match.group(2)
    else:
        match = rx(r"\bby[ \t]+([^ ]+)(.*)").search(value)
        if not match:
            return "", ""
        sender, by = match.group(1) + match.group(2), match.group(1)
    if " " in sender:
        names: list[str] = []
        addresses: list[str] = []
        for token in sender.split():
            if rx(r"^[(\[]\d+\.\d+\.\d+\.\d+[)\]]$").match(token):
                addresses.append(token.strip("[]()"))
            else:
                names.append(token.replace("(", "").replace(")", ""))
        host = next((n for n in names if "." in n), "")
        if not host:
            host = next((a for a in addresses if not _private(a)), addresses[-1] if addresses else "")
        sender = host
    return _clean_host(sender), _clean_host(by)


def _private(ip: str) -> bool:
    return ip.startswith(("10.", "127.", "192.168.")) or bool(rx(r"172\.(?:1[6-9]|2\d|3[01])\.").match(ip))


def _clean_host(host: str) -> str:
    return rx(r"[()\[\];?]").sub("", host)
