"""S/MIME certificate checks (certificates made here with `cryptography`), eligibility, and `smime-check`."""

from __future__ import annotations

import base64
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from alimail_mcp.cli import main
from alimail_mcp.errors import InputError
from alimail_mcp.secure_setup.certificate import check_certificate, check_pkcs12, read_certificate_input
from alimail_mcp.secure_setup.models import CertificateCheck
from alimail_mcp.secure_setup.plan import plan_secure_setup

NOW = datetime.now(UTC).replace(microsecond=0)
MAILBOX = "bob@good.test"
SIGN_AND_ENCRYPT = {"digital_signature": True, "key_encipherment": True}


@dataclass
class Issuer:
    key: Any = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    name: x509.Name = field(
        default_factory=lambda: x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test Mail CA")])
    )


_RSA: dict[int, rsa.RSAPrivateKey] = {}


def rsa_key(bits: int = 2048) -> rsa.RSAPrivateKey:
    if bits not in _RSA:
        _RSA[bits] = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    return _RSA[bits]


def make_cert(
    issuer: Issuer | None,
    *,
    key: Any = None,
    emails: Iterable[str] = (MAILBOX,),
    subject_email: str | None = None,
    not_before: datetime = NOW - timedelta(days=30),
    not_after: datetime = NOW + timedelta(days=365),
    usage: dict[str, bool] | None = None,
    eku: list[x509.ObjectIdentifier] | None = None,
    ca: bool = False,
    digest: Any = None,
) -> tuple[x509.Certificate, Any]:
    key = key or rsa_key()
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, "Bob Example")]
    if subject_email:
        attrs.append(x509.NameAttribute(NameOID.EMAIL_ADDRESS, subject_email))
    subject = x509.Name(attrs)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.name if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
    )
    names = [x509.RFC822Name(e) for e in emails]
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    bits = {
        "digital_signature": False,
        "content_commitment": False,
        "key_encipherment": False,
        "data_encipherment": False,
        "key_agreement": False,
        "key_cert_sign": False,
        "crl_sign": False,
        "encipher_only": False,
        "decipher_only": False,
    }
    if usage is not None:
        builder = builder.add_extension(x509.KeyUsage(**{**bits, **usage}), critical=True)
    if eku is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage(eku), critical=False)
    if ca:
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
    signer = issuer.key if issuer else key
    cert = builder.sign(signer, digest or hashes.SHA256())
    return cert, key


def pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def codes(check: CertificateCheck) -> list[str]:
    return [f.code for f in check.findings]


def check_pem(cert: x509.Certificate, **options: Any) -> CertificateCheck:
    options.setdefault("now", NOW)
    return check_certificate(pem(cert).encode(), **options)


@pytest.fixture(scope="module")
def ca() -> Issuer:
    return Issuer()


@pytest.fixture(scope="module")
def good(ca: Issuer) -> tuple[x509.Certificate, Any]:
    return make_cert(ca, usage=SIGN_AND_ENCRYPT, eku=[ExtendedKeyUsageOID.EMAIL_PROTECTION])


def test_a_valid_certificate_is_fit(good: tuple[x509.Certificate, Any]) -> None:
    result = check_pem(good[0], mailbox="Bob@GOOD.test")
    assert result.fit and result.source == "pem"
    assert result.emails == [MAILBOX] and result.mailbox == "Bob@good.test" and result.mailbox_matches
    assert result.key_type == "RSA" and result.key_bits == 2048
    assert result.key_usage == ["digitalSignature", "keyEncipherment"]
    assert result.extended_key_usage == ["emailProtection"]
    assert not result.self_signed and not result.is_ca and result.days_left == 365
    assert result.signature_hash == "sha256" and len(result.sha256_fingerprint.split(":")) == 32
    # Only the reminder that Alibaba Mail imports the .p12/.pfx with the key.
    assert codes(result) == ["smime.not-pkcs12"]


def test_base64_der_and_files_read_the_same(good: tuple[x509.Certificate, Any], tmp_path: Path) -> None:
    der = good[0].public_bytes(serialization.Encoding.DER)
    text = base64.encodebytes(der).decode()  # wrapped lines, as pasted
    from_text = check_certificate(read_certificate_input(text), now=NOW)
    assert from_text.source == "der" and from_text.fit
    (tmp_path / "bob.cer").write_bytes(der)
    (tmp_path / "bob.pem").write_text(pem(good[0]))
    for name in ("bob.cer", "bob.pem"):
        loaded = check_certificate(read_certificate_input(str(tmp_path / name)), now=NOW)
        assert loaded.serial == from_text.serial


def test_expired(ca: Issuer) -> None:
    cert, _ = make_cert(ca, not_before=NOW - timedelta(days=400), not_after=NOW - timedelta(days=3))
    result = check_pem(cert)
    assert not result.fit and result.days_left < 0
    expired = result.findings[0]
    assert (
        expired.code == "smime.expired"
        and expired.severity.value == "error"
        and "3 days ago" in expired.detail
    )


def test_expiring_within_thirty_days_is_a_warning(ca: Issuer) -> None:
    cert, _ = make_cert(ca, not_after=NOW + timedelta(days=12, hours=1))
    result = check_pem(cert)
    assert result.fit and codes(result)[0] == "smime.expiring"
    assert "12 days" in result.findings[0].title
    later, _ = make_cert(ca, not_after=NOW + timedelta(days=45))
    assert "smime.expiring" not in codes(check_pem(later))


def test_not_yet_valid(ca: Issuer) -> None:
    cert, _ = make_cert(ca, not_before=NOW + timedelta(days=2))
    assert codes(check_pem(cert))[0] == "smime.not-yet-valid"


def test_wrong_email(good: tuple[x509.Certificate, Any]) -> None:
    result = check_pem(good[0], mailbox="alice@good.test")
    assert not result.fit and result.mailbox_matches is False
    mismatch = next(f for f in result.findings if f.code == "smime.email-mismatch")
    assert mismatch.evidence["certificate_addresses"] == [MAILBOX]


def test_address_in_the_subject_counts(ca: Issuer) -> None:
    cert, _ = make_cert(ca, emails=(), subject_email=MAILBOX)
    result = check_pem(cert, mailbox=MAILBOX)
    assert result.emails == [MAILBOX] and result.mailbox_matches and result.fit


def test_no_email_at_all(ca: Issuer) -> None:
    cert, _ = make_cert(ca, emails=())
    result = check_pem(cert, mailbox=MAILBOX)
    assert "smime.no-email" in codes(result) and not result.fit


def test_wrong_key_usage_depends_on_the_purpose(ca: Issuer) -> None:
    cert, _ = make_cert(ca, usage={"digital_signature": True})
    both = check_pem(cert)
    usage = [f for f in both.findings if f.code == "smime.key-usage"]
    assert len(usage) == 1 and "encryption" in usage[0].title and "keyEncipherment" in usage[0].detail
    assert not both.fit
    assert check_pem(cert, purposes=("signing",)).fit
    signing_only, _ = make_cert(ca, usage={"key_cert_sign": True})
    assert len([f for f in check_pem(signing_only).findings if f.code == "smime.key-usage"]) == 2


def test_elliptic_curve_keys_encrypt_with_key_agreement(ca: Issuer) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    agreeing, _ = make_cert(ca, key=key, usage={"digital_signature": True, "key_agreement": True})
    result = check_pem(agreeing)
    assert result.fit and result.key_type == "EC" and result.key_bits == 256
    enciphering, _ = make_cert(ca, key=key, usage={"digital_signature": True, "key_encipherment": True})
    assert "smime.key-usage" in codes(check_pem(enciphering))


def test_extended_key_usage_without_email_protection(ca: Issuer) -> None:
    cert, _ = make_cert(ca, eku=[ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH])
    result = check_pem(cert)
    assert "smime.extended-key-usage" in codes(result) and not result.fit
    assert result.extended_key_usage == ["serverAuth", "clientAuth"]
    anything, _ = make_cert(ca, eku=[ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE])
    assert check_pem(anything).fit


def test_small_rsa_key(ca: Issuer) -> None:
    cert, _ = make_cert(ca, key=rsa_key(1024))
    result = check_pem(cert)
    weak = next(f for f in result.findings if f.code == "smime.weak-key")
    assert "1024 bits" in weak.title and "2048" in weak.detail and not result.fit


def test_self_signed_is_a_warning(good: tuple[x509.Certificate, Any]) -> None:
    cert, _ = make_cert(None, usage=SIGN_AND_ENCRYPT)
    result = check_pem(cert)
    assert result.self_signed and "smime.self-signed" in codes(result) and result.fit


def test_a_ca_certificate_is_not_a_personal_one(ca: Issuer) -> None:
    cert, _ = make_cert(ca, ca=True)
    assert "smime.ca-certificate" in codes(check_pem(cert))


def test_pasted_private_key_is_flagged_and_not_read(good: tuple[x509.Certificate, Any]) -> None:
    key_pem = good[1].private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    result = check_certificate(key_pem + pem(good[0]).encode(), now=NOW)
    assert codes(result)[0] == "smime.private-key-in-text"
    assert "PRIVATE" not in result.model_dump_json()


def test_chain_in_pem_counts_extra_certificates(ca: Issuer, good: tuple[x509.Certificate, Any]) -> None:
    issuer_cert, _ = make_cert(None, key=ca.key, emails=(), ca=True)
    result = check_certificate((pem(good[0]) + pem(issuer_cert)).encode(), now=NOW)
    assert result.extra_certificates == 1 and result.emails == [MAILBOX]


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("not a certificate!", "neither PEM"),
        ("bm90IGEgY2VydA==", "not an X.509"),
        ("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----", "not a valid X.509"),
        ("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----", "without a CERTIFICATE"),
        ("x" * 70_000, "limit"),
        ("/nowhere/bob.pem", "no readable file"),
        ("C:\\certs\\bob.p12", "smime-check"),
    ],
)
def test_bad_certificate_input(text: str, rule: str) -> None:
    with pytest.raises(InputError) as err:
        check_certificate(read_certificate_input(text), now=NOW)
    assert err.value.field == "certificate" and rule in err.value.rule


def p12_bytes(cert: x509.Certificate, key: Any, password: bytes | None) -> bytes:
    algorithm = serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
    return pkcs12.serialize_key_and_certificates(b"bob", key, cert, None, algorithm)


def test_pkcs12_text_is_sent_to_the_command_line(good: tuple[x509.Certificate, Any]) -> None:
    data = base64.b64encode(p12_bytes(good[0], good[1], b"secret")).decode()
    with pytest.raises(InputError) as err:
        check_certificate(read_certificate_input(data), now=NOW)
    assert "smime-check" in err.value.rule and "password" in err.value.rule


def test_pkcs12_with_its_password(good: tuple[x509.Certificate, Any]) -> None:
    result = check_pkcs12(p12_bytes(good[0], good[1], b"secret"), b"secret", mailbox=MAILBOX, now=NOW)
    assert result.source == "pkcs12" and result.has_private_key and result.fit
    assert codes(result) == []
    with pytest.raises(InputError) as err:
        check_pkcs12(p12_bytes(good[0], good[1], b"secret"), b"wrong", now=NOW)
    assert err.value.field == "password"
    assert check_pkcs12(p12_bytes(good[0], good[1], None), None, now=NOW).fit


def test_pkcs12_without_a_key(good: tuple[x509.Certificate, Any]) -> None:
    no_key = pkcs12.serialize_key_and_certificates(b"bob", None, good[0], None, serialization.NoEncryption())
    result = check_pkcs12(no_key, None, now=NOW)
    assert result.has_private_key is False and codes(result)[0] == "smime.no-private-key" and not result.fit
    # With a CA certificate beside it, the subject's certificate is still the one checked.
    issuer_cert, _ = make_cert(None, emails=(), ca=True)
    bundle = pkcs12.serialize_key_and_certificates(
        b"bob", None, good[0], [issuer_cert], serialization.NoEncryption()
    )
    with_chain = check_pkcs12(bundle, None, now=NOW)
    assert with_chain.emails == [MAILBOX] and with_chain.extra_certificates == 1


# --- eligibility (no DNS: only the signing / encryption goals) ---------------------------------------


async def test_eligible_edition_with_a_fit_certificate(good: tuple[x509.Certificate, Any]) -> None:
    plan = await plan_secure_setup(
        "good.test", edition="AI Premium", goals=["encryption"], certificate=pem(good[0]), mailbox=MAILBOX
    )
    assert plan.dns_overall is None and plan.authentication_steps == [] and plan.sender_filters is None
    assert (plan.intent, plan.path, plan.skill) == (
        "configure-communication",
        "smime",
        "alimail/guide/alimail-security",
    )
    assert plan.smime is not None and plan.smime.eligible and plan.smime.edition == "ai-premium"
    assert plan.smime.max_certificates_per_mailbox == 30
    met = {r.id: r.met for r in plan.smime.requirements}
    assert met == {
        "edition": True,
        "admin-enabled": None,
        "pkcs12": False,
        "certificate-limit": None,
        "certificate": True,
    }
    assert plan.smime.certificate is not None and plan.smime.certificate.mailbox_matches
    assert "passes the checks" in plan.summary


async def test_other_editions_do_not_include_smime() -> None:
    plan = await plan_secure_setup("good.test", edition="Standard Edition", goals=["signing"])
    assert plan.smime is not None and plan.smime.eligible is False
    finding = plan.findings[0]
    assert finding.code == "smime.edition-unsupported" and finding.severity.value == "error"
    assert "AI Premium Edition" in plan.summary
    unknown = await plan_secure_setup("good.test", goals=["signing", "encryption"])
    assert unknown.smime is not None and unknown.smime.eligible is None
    assert [f.code for f in unknown.findings] == ["smime.edition-unknown"]


async def test_certificate_problems_reach_the_plan(ca: Issuer) -> None:
    cert, _ = make_cert(ca, not_after=datetime.now(UTC) - timedelta(days=1))
    plan = await plan_secure_setup(
        "good.test", edition="ai-premium", goals=["signing"], certificate=pem(cert)
    )
    assert "smime.expired" in [f.code for f in plan.findings]
    assert "1 problem" in plan.summary and plan.smime is not None and plan.smime.requirements[-1].met is False


@pytest.mark.parametrize(
    ("arguments", "field_name"),
    [
        ({"edition": "platinum"}, "edition"),
        ({"goals": ["speed"]}, "goals"),
        ({"goals": ["encryption"] * 11}, "goals"),
        ({"mailbox": "not an address"}, "mailbox"),
        ({"today": "next tuesday"}, "today"),
        ({"goals": ["signing"], "certificate": "garbage"}, "certificate"),
    ],
)
async def test_bad_input_names_the_field(arguments: dict[str, Any], field_name: str) -> None:
    with pytest.raises(InputError) as err:
        await plan_secure_setup("good.test", **arguments)
    assert err.value.field == field_name


def test_result_models_do_not_load_cryptography() -> None:
    code = (
        "import sys\n"
        "import alimail_mcp.secure_setup.models, alimail_mcp.secure_setup.certificate\n"
        "print('cryptography' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "False"


# --- alimail-mcp smime-check --------------------------------------------------------------------------


def test_cli_checks_a_p12_with_the_password_typed_in(
    good: tuple[x509.Certificate, Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "bob.p12"
    path.write_bytes(p12_bytes(good[0], good[1], b"s3cret"))
    asked: list[str] = []

    def typed(prompt: str = "") -> str:
        asked.append(prompt)
        return "s3cret"

    monkeypatch.setattr("getpass.getpass", typed)
    assert main(["smime-check", str(path), "--mailbox", MAILBOX]) == 0
    out = capsys.readouterr().out
    assert asked and "bob.p12" in asked[0]
    assert out.startswith("FIT for S/MIME  (pkcs12)") and "private key included" in " ".join(out.split())
    assert "s3cret" not in out


def test_cli_wrong_password_and_wrong_mailbox(
    good: tuple[x509.Certificate, Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "bob.pfx"
    path.write_bytes(p12_bytes(good[0], good[1], b"right"))
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "wrong")
    assert main(["smime-check", str(path)]) == 2
    assert "invalid password" in capsys.readouterr().err
    cer = tmp_path / "bob.cer"
    cer.write_bytes(good[0].public_bytes(serialization.Encoding.DER))
    assert main(["smime-check", str(cer), "--mailbox", "carol@good.test", "--json"]) == 1
    data = capsys.readouterr().out
    assert '"mailbox_matches": false' in data and '"source": "der"' in data
    assert main(["smime-check", str(tmp_path / "missing.pem")]) == 2


async def test_paths_are_refused_when_the_server_is_remote(
    good: tuple[x509.Certificate, Any], tmp_path: Path
) -> None:
    """Over HTTP (local_files off) a caller cannot make the server read, or reveal, its files."""
    from alimail_mcp.config import Settings

    cert, _ = good
    path = tmp_path / "user.pem"
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    with pytest.raises(InputError) as error:
        read_certificate_input(str(path), allow_paths=False)
    assert error.value.field == "certificate" and "paste the PEM text" in error.value.rule
    with pytest.raises(InputError, match="paste the PEM text"):
        await plan_secure_setup(
            "example.test", goals=["signing"], certificate=str(path), settings=Settings(local_files=False)
        )
    pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    assert read_certificate_input(pem, allow_paths=False).startswith(b"-----BEGIN CERTIFICATE")
