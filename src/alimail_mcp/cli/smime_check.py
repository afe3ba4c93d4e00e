"""`alimail-mcp smime-check FILE`: check an S/MIME certificate file (.p12/.pfx, .pem, .cer/.crt/.der).

A PKCS#12 file's password is asked for on the terminal (never taken from a flag, the environment or
a tool call). Exit status: 0 the certificate is fit for S/MIME, 1 it has problems, 2 bad input.
"""

from __future__ import annotations

import argparse
import getpass
from pathlib import Path
from typing import TYPE_CHECKING

from alimail_mcp.cli.terminal import Terminal
from alimail_mcp.errors import InputError

if TYPE_CHECKING:
    from alimail_mcp.secure_setup.certificate import Purpose
    from alimail_mcp.secure_setup.models import CertificateCheck

MAX_FILE_BYTES = 1_048_576


def configure(p: argparse.ArgumentParser) -> None:
    p.description = (
        "Check an S/MIME certificate for Alibaba Mail: validity dates, the mailbox address, "
        "key usage, extended key usage, key size, self-signed or not; for .p12/.pfx also the private key."
    )
    p.add_argument("file", help="the certificate file: .p12/.pfx (with its key), .pem, .cer/.crt/.der")
    p.add_argument("--mailbox", metavar="ADDRESS", help="the mailbox the certificate is meant for")
    p.add_argument(
        "--purpose",
        action="append",
        choices=("signing", "encryption"),
        help="what the certificate is for (repeatable; default both)",
    )
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    check = check_file(Path(args.file), args.mailbox, tuple(args.purpose or ("signing", "encryption")))
    if args.json:
        print(check.model_dump_json(indent=2))
    else:
        print_check(check, Terminal.for_stdout())
    return 0 if check.fit else 1


def check_file(path: Path, mailbox: str | None, purposes: tuple[Purpose, ...]) -> CertificateCheck:
    """Read `path`; a PKCS#12 file is opened with a password typed on the terminal."""
    from alimail_mcp.secure_setup.certificate import (
        PKCS12_EXTENSIONS,
        check_certificate,
        check_pkcs12,
        looks_like_pkcs12,
    )

    data = read_file(path)
    if path.suffix.lower() in PKCS12_EXTENSIONS or looks_like_pkcs12(data):
        password = getpass.getpass(f"Password for {path.name} (input hidden): ")
        return check_pkcs12(
            data, password.encode("utf-8") if password else None, mailbox=mailbox, purposes=purposes
        )
    return check_certificate(data, mailbox=mailbox, purposes=purposes, field="file")


def read_file(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise InputError("file", f"is larger than {MAX_FILE_BYTES} bytes; a certificate file is smaller")
        return path.read_bytes()
    except OSError as exc:
        raise InputError("file", f"cannot read {path}: {exc.strerror or exc}") from None


def print_check(check: CertificateCheck, term: Terminal) -> None:
    w = term.out.write
    w(f"{'FIT for S/MIME' if check.fit else 'NOT fit for S/MIME'}  ({check.source})\n\n")
    rows = [
        ("subject", check.subject),
        ("issuer", check.issuer + ("  (self-signed)" if check.self_signed else "")),
        ("valid", f"{check.not_before[:10]} to {check.not_after[:10]} ({check.days_left} days left)"),
        ("addresses", ", ".join(check.emails) or "-"),
        (
            "mailbox",
            f"{check.mailbox} ({'matches' if check.mailbox_matches else 'does not match'})"
            if check.mailbox
            else "-",
        ),
        ("key", f"{check.key_type} {check.key_bits or '?'} bits"),
        ("key usage", ", ".join(check.key_usage) if check.key_usage is not None else "(any)"),
        (
            "ext. usage",
            ", ".join(check.extended_key_usage) if check.extended_key_usage is not None else "(any)",
        ),
        ("private key", {True: "included", False: "missing", None: "-"}[check.has_private_key]),
        ("sha256", check.sha256_fingerprint),
    ]
    for label, value in rows:
        term.line(value, f"  {label:<12}")
    term.findings(check.findings)
