"""S/MIME certificate checks with `cryptography` (imported inside the functions: it costs ~35 ms).

Tool calls give a certificate as PEM text, base64 DER text, or the path of a .cer/.crt/.pem/.der file on
the server's machine. A PKCS#12 file (.p12/.pfx) holds the private key and needs its password, so it is
read only by `check_pkcs12`, which the command line calls after asking for the password on the
terminal: passwords never travel through a tool call.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from alimail_mcp.errors import InputError
from alimail_mcp.inputs import normalize_address
from alimail_mcp.secure_setup.args import CERTIFICATE_CHARS
from alimail_mcp.secure_setup.knowledge import SecureSetupKnowledge, load_secure_setup
from alimail_mcp.secure_setup.models import CertificateCheck

if TYPE_CHECKING:
    from cryptography import x509

MAX_FILE_BYTES = 65_536
CERT_EXTENSIONS = (".cer", ".crt", ".pem", ".der")
PKCS12_EXTENSIONS = (".p12", ".pfx")
EVIDENCE_CHARS = 300
MAX_CERTIFICATES = 10
"""PEM certificate blocks read from one input (the first is checked, the rest counted)."""
_PEM_BEGIN = re.compile(r"-----BEGIN (?:X509 |TRUSTED )?CERTIFICATE-----")
_PEM_END = re.compile(r"-----END (?:X509 |TRUSTED )?CERTIFICATE-----")
_PKCS12_HINT = (
    "a PKCS#12 file (.p12/.pfx) holds the private key and opens only with its password: check it on the "
    "command line with `alimail-mcp smime-check FILE`, which asks for the password on the terminal"
)
Purpose = Literal["signing", "encryption"]


@dataclass(frozen=True)
class _Loaded:
    certificates: list[x509.Certificate]
    source: Literal["pem", "der", "pkcs12"]
    private_key_pasted: bool = False


# --- reading the input ----------------------------------------------------------------------------


def read_certificate_input(text: str, field: str = "certificate", *, allow_paths: bool = True) -> bytes:
    """The bytes a tool's `certificate` argument stands for: the text, or the content of the file it names
    (only with `allow_paths`: over HTTP a caller must not learn which files exist on the server)."""
    if len(text) > CERTIFICATE_CHARS:
        raise InputError(field, f"is {len(text)} characters long; the limit is {CERTIFICATE_CHARS}")
    stripped = text.strip()
    if not stripped:
        raise InputError(field, "must not be empty")
    if "\n" not in stripped and "-----" not in stripped and _looks_like_path(stripped):
        if not allow_paths:
            raise InputError(
                field, "file paths are read only when the server runs locally; paste the PEM text"
            )
        return _read_path(Path(stripped).expanduser(), field)
    return stripped.encode("utf-8", "replace")


def _looks_like_path(text: str) -> bool:
    return text.lower().endswith(CERT_EXTENSIONS + PKCS12_EXTENSIONS) and len(text) <= 4096


def _read_path(path: Path, field: str) -> bytes:
    if path.suffix.lower() in PKCS12_EXTENSIONS:
        raise InputError(field, _PKCS12_HINT)
    try:
        if not path.is_file():
            raise InputError(field, "names no readable file on the server's machine")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise InputError(
                field, f"names a file larger than {MAX_FILE_BYTES} bytes; a certificate is smaller"
            )
        return path.read_bytes()
    except OSError:
        raise InputError(field, "names no readable file on the server's machine") from None


def looks_like_pkcs12(data: bytes) -> bool:
    """DER `PFX ::= SEQUENCE { version INTEGER (3), ... }` (RFC 7292): a PKCS#12 file, not a certificate."""
    if len(data) < 8 or data[0] != 0x30:
        return False
    length = data[1]
    offset = 2 + (length & 0x7F if length & 0x80 else 0)
    return data[offset : offset + 3] == b"\x02\x01\x03"


def _load(data: bytes, field: str) -> _Loaded:
    from cryptography import x509

    if b"-----BEGIN" in data:
        text = data.decode("ascii", "replace")
        blocks = pem_blocks(text)
        if not blocks:
            raise InputError(field, "holds PEM text without a CERTIFICATE block")
        certs = []
        for block in blocks:
            pem = f"-----BEGIN CERTIFICATE-----{block}-----END CERTIFICATE-----\n".encode("ascii", "replace")
            try:
                certs.append(x509.load_pem_x509_certificate(pem))
            except ValueError:
                raise InputError(
                    field, "holds a CERTIFICATE block that is not a valid X.509 certificate"
                ) from None
        return _Loaded(certs, "pem", private_key_pasted="PRIVATE KEY-----" in text)
    der = data if data[:1] == b"\x30" else _base64(data, field)
    if looks_like_pkcs12(der):
        raise InputError(field, _PKCS12_HINT)
    try:
        return _Loaded([x509.load_der_x509_certificate(der)], "der")
    except ValueError:
        raise InputError(
            field, "is not an X.509 certificate (PEM text, base64 DER, or a .cer/.pem file)"
        ) from None


def pem_blocks(text: str) -> list[str]:
    """The text between each CERTIFICATE block's BEGIN and END lines, at most MAX_CERTIFICATES.

    Found marker by marker: a pattern from BEGIN lazily to END tried every BEGIN again up to the end
    of the text when no END followed (64 KB of BEGIN lines took 1.2 s)."""
    blocks: list[str] = []
    position = 0
    while len(blocks) < MAX_CERTIFICATES and (begin := _PEM_BEGIN.search(text, position)):
        end = _PEM_END.search(text, begin.end() + 1)  # a block has at least one character
        if end is None:
            break  # no END after this BEGIN, so none after a later one either
        blocks.append(text[begin.end() : end.start()])
        position = end.end()
    return blocks


def _base64(data: bytes, field: str) -> bytes:
    compact = b"".join(data.split())
    try:
        return base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        raise InputError(
            field, "is neither PEM text, base64 DER, nor the path of a .cer/.crt/.pem/.der file"
        ) from None


# --- the checks -----------------------------------------------------------------------------------


def check_certificate(
    data: bytes,
    *,
    mailbox: str | None = None,
    purposes: tuple[Purpose, ...] = ("signing", "encryption"),
    now: datetime | None = None,
    field: str = "certificate",
) -> CertificateCheck:
    """Check a PEM or DER certificate (from `read_certificate_input` or a file); InputError if unreadable."""
    loaded = _load(data, field)
    kb = load_secure_setup()
    result = _check(loaded.certificates[0], loaded.source, kb, mailbox, purposes, now or datetime.now(UTC))
    result.extra_certificates = len(loaded.certificates) - 1
    if loaded.private_key_pasted:
        result.findings.insert(0, kb.smime_finding("smime.private-key-in-text"))
    result.findings.append(kb.smime_finding("smime.not-pkcs12"))
    return result


def check_pkcs12(
    data: bytes,
    password: bytes | None,
    *,
    mailbox: str | None = None,
    purposes: tuple[Purpose, ...] = ("signing", "encryption"),
    now: datetime | None = None,
) -> CertificateCheck:
    """Open a .p12/.pfx file with its password (command line only) and check its certificate and key."""
    from cryptography.hazmat.primitives.serialization import pkcs12

    try:
        bundle = pkcs12.load_pkcs12(data, password or None)
    except ValueError:
        if password:
            raise InputError(
                "password", "does not open the PKCS#12 file (wrong password, or a damaged file)"
            ) from None
        try:
            bundle = pkcs12.load_pkcs12(data, b"")
        except ValueError:
            raise InputError("password", "the PKCS#12 file needs a password (or it is damaged)") from None
    except TypeError:
        raise InputError("file", "is not a PKCS#12 file") from None
    kb = load_secure_setup()
    # Without a key, the file's certificates all come back as "additional" ones: the first is the subject's.
    certs = ([bundle.cert] if bundle.cert is not None else []) + list(bundle.additional_certs)
    if not certs:
        raise InputError("file", "holds no certificate, only keys or other data")
    cert = certs[0].certificate
    result = _check(cert, "pkcs12", kb, mailbox, purposes, now or datetime.now(UTC))
    result.extra_certificates = len(certs) - 1
    result.has_private_key = bundle.key is not None
    if bundle.key is None:
        result.findings.insert(0, kb.smime_finding("smime.no-private-key"))
    elif not _same_key(bundle.key.public_key(), cert.public_key()):
        result.findings.insert(0, kb.smime_finding("smime.key-mismatch"))
    result.fit = not any(f.severity.value == "error" for f in result.findings)
    return result


def _check(
    cert: x509.Certificate,
    source: Literal["pem", "der", "pkcs12"],
    kb: SecureSetupKnowledge,
    mailbox: str | None,
    purposes: tuple[Purpose, ...],
    now: datetime,
) -> CertificateCheck:
    from cryptography.hazmat.primitives import hashes

    address = normalize_address(mailbox, "mailbox") if mailbox else None
    emails = _emails(cert)
    key_type, bits = _key(cert)
    usage = _key_usage(cert)
    extended = _extended_usage(cert)
    self_signed = _self_signed(cert)
    is_ca = _is_ca(cert)
    not_before, not_after = cert.not_valid_before_utc, cert.not_valid_after_utc
    days_left = (not_after - now).days
    hash_name = cert.signature_hash_algorithm.name if cert.signature_hash_algorithm else None
    matches = None if address is None else address.lower() in {e.lower() for e in emails}
    findings = []
    t = kb.smime.thresholds
    if now > not_after:
        findings.append(
            kb.smime_finding("smime.expired", {"not_after": not_after.isoformat()}, days=-days_left)
        )
    elif now < not_before:
        ahead = (not_before - now).days + 1
        findings.append(
            kb.smime_finding("smime.not-yet-valid", {"not_before": not_before.isoformat()}, days=ahead)
        )
    elif days_left <= t.expiring_days:
        findings.append(
            kb.smime_finding("smime.expiring", {"not_after": not_after.isoformat()}, days=days_left)
        )
    if is_ca:
        findings.append(kb.smime_finding("smime.ca-certificate"))
    if not emails:
        findings.append(kb.smime_finding("smime.no-email", {"subject": _cut(cert.subject.rfc4514_string())}))
    elif matches is False:
        findings.append(kb.smime_finding("smime.email-mismatch", {"certificate_addresses": emails[:10]}))
    findings += _usage_findings(kb, usage, key_type, purposes)
    if extended is not None and not ({"emailProtection", "anyExtendedKeyUsage"} & set(extended)):
        findings.append(kb.smime_finding("smime.extended-key-usage", {"extended_key_usage": extended}))
    minimum = t.min_ec_bits if key_type == "EC" else t.min_rsa_bits
    if key_type in ("RSA", "DSA", "EC") and bits is not None and bits < minimum:
        evidence = {"key_type": key_type, "key_bits": bits}
        findings.append(kb.smime_finding("smime.weak-key", evidence, bits=bits, minimum=minimum))
    if hash_name in ("sha1", "md5"):
        findings.append(kb.smime_finding("smime.weak-signature", {"signature_hash": hash_name}))
    if self_signed and not is_ca:
        findings.append(kb.smime_finding("smime.self-signed"))
    return CertificateCheck(
        source=source,
        subject=_cut(cert.subject.rfc4514_string()),
        issuer=_cut(cert.issuer.rfc4514_string()),
        serial=format(cert.serial_number, "x"),
        sha256_fingerprint=cert.fingerprint(hashes.SHA256()).hex(":"),
        not_before=not_before.isoformat(),
        not_after=not_after.isoformat(),
        days_left=days_left,
        emails=emails,
        mailbox=address,
        mailbox_matches=matches,
        key_type=key_type,
        key_bits=bits,
        key_usage=usage,
        extended_key_usage=extended,
        signature_hash=hash_name,
        self_signed=self_signed,
        is_ca=is_ca,
        fit=not any(f.severity.value == "error" for f in findings),
        findings=findings,
    )


def _cut(text: str) -> str:
    return text if len(text) <= EVIDENCE_CHARS else text[: EVIDENCE_CHARS - 1] + "…"


def _emails(cert: x509.Certificate) -> list[str]:
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    found = [str(a.value) for a in cert.subject.get_attributes_for_oid(NameOID.EMAIL_ADDRESS)]
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        found += san.get_values_for_type(x509.RFC822Name)
    except x509.ExtensionNotFound:
        pass
    except ValueError:  # a malformed extension: no addresses from it
        pass
    return list(dict.fromkeys(_cut(e.strip()) for e in found if "@" in e))[:20]


def _key(cert: x509.Certificate) -> tuple[str, int | None]:
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa

    try:
        key = cert.public_key()
    except (ValueError, TypeError):  # unsupported algorithm
        return "unknown", None
    if isinstance(key, rsa.RSAPublicKey):
        return "RSA", key.key_size
    if isinstance(key, ec.EllipticCurvePublicKey):
        return "EC", key.curve.key_size
    if isinstance(key, dsa.DSAPublicKey):
        return "DSA", key.key_size
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "Ed25519", 256
    if isinstance(key, ed448.Ed448PublicKey):
        return "Ed448", 456
    return type(key).__name__, None


_USAGE_BITS = (
    ("digital_signature", "digitalSignature"),
    ("content_commitment", "nonRepudiation"),
    ("key_encipherment", "keyEncipherment"),
    ("data_encipherment", "dataEncipherment"),
    ("key_agreement", "keyAgreement"),
    ("key_cert_sign", "keyCertSign"),
    ("crl_sign", "cRLSign"),
)


def _key_usage(cert: x509.Certificate) -> list[str] | None:
    from cryptography import x509

    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except (x509.ExtensionNotFound, ValueError):
        return None
    return [name for attr, name in _USAGE_BITS if getattr(usage, attr)]


def _extended_usage(cert: x509.Certificate) -> list[str] | None:
    from cryptography import x509
    from cryptography.x509.oid import ExtendedKeyUsageOID

    names = {
        ExtendedKeyUsageOID.EMAIL_PROTECTION: "emailProtection",
        ExtendedKeyUsageOID.CLIENT_AUTH: "clientAuth",
        ExtendedKeyUsageOID.SERVER_AUTH: "serverAuth",
        ExtendedKeyUsageOID.CODE_SIGNING: "codeSigning",
        ExtendedKeyUsageOID.TIME_STAMPING: "timeStamping",
        ExtendedKeyUsageOID.OCSP_SIGNING: "OCSPSigning",
        ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE: "anyExtendedKeyUsage",
    }
    try:
        usages = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except (x509.ExtensionNotFound, ValueError):
        return None
    return [names.get(oid, oid.dotted_string) for oid in usages][:20]


def _usage_findings(
    kb: SecureSetupKnowledge, usage: list[str] | None, key_type: str, purposes: tuple[Purpose, ...]
) -> list[Any]:
    """RFC 8550 4.4.2: signing needs digitalSignature (or nonRepudiation); encryption needs keyEncipherment
    for RSA keys and keyAgreement for elliptic-curve keys."""
    if usage is None:
        return []
    out = []
    if "signing" in purposes and not {"digitalSignature", "nonRepudiation"} & set(usage):
        out.append(
            kb.smime_finding(
                "smime.key-usage", {"key_usage": usage}, purpose="signing", usage="digitalSignature"
            )
        )
    if "encryption" in purposes:
        needed = "keyAgreement" if key_type == "EC" else "keyEncipherment"
        if needed not in usage:
            out.append(
                kb.smime_finding("smime.key-usage", {"key_usage": usage}, purpose="encryption", usage=needed)
            )
    return out


def _self_signed(cert: x509.Certificate) -> bool:
    if cert.issuer != cert.subject:
        return False
    try:
        cert.verify_directly_issued_by(cert)
    except Exception:  # any verification failure (bad signature, unsupported algorithm) means "not by itself"
        return False
    return True


def _is_ca(cert: x509.Certificate) -> bool:
    from cryptography import x509

    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except (x509.ExtensionNotFound, ValueError):
        return False


def _same_key(a: Any, b: Any) -> bool:
    from cryptography.hazmat.primitives import serialization

    form = serialization.PublicFormat.SubjectPublicKeyInfo
    encoding = serialization.Encoding.DER
    try:
        return bool(a.public_bytes(encoding, form) == b.public_bytes(encoding, form))
    except (ValueError, TypeError, AttributeError):
        return False
