"""One receiver registry (skills/receivers.yaml) for the error catalog and the reason tables: each
finds a receiver where it did before the two lists were merged, and the files must agree with it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from alimail_mcp.diagnosis.catalog import catalog
from alimail_mcp.diagnosis.reason.tables import tables
from alimail_mcp.diagnosis.receiver import detect
from alimail_mcp.diagnosis.receiver.reading import find
from alimail_mcp.diagnosis.receiver.registry import receivers
from alimail_mcp.errors import KnowledgeError
from alimail_mcp.knowledge import loader


@pytest.mark.parametrize(
    ("host", "receiver"),
    [
        ("gmail-smtp-in.l.google.com", "google"),
        ("gmail.com", "google"),
        ("mail-eur.prod.outlook.com", "microsoft"),
        ("hotmail.com", "microsoft"),
        ("mxbiz1.qq.com", "tencent"),
        ("mx.cox.net", "cox"),
        ("cox.net.example.test", None),  # a name inside another zone is not Cox's
        ("smtp.secureserver.net", "godaddy"),
        ("mfsmax.docomo.ne.jp", "docomo"),
        ("mx.partner.test", None),
    ],
)
def test_a_receiver_is_known_by_its_hosts_and_domains(host: str, receiver: str | None) -> None:
    assert detect("550 refused", host, "") == receiver
    assert detect("550 refused", "", host) == receiver


@pytest.mark.parametrize(
    ("host", "table"),
    [
        ("gmail-smtp-in.l.google.com", "google"),
        ("aspmx.l.google.com", "google"),
        ("gmail.com", None),  # a relay's refusal for a gmail.com recipient is not read by Google's table
        ("mail-eur.prod.outlook.com", "microsoft"),
        ("hotmail.com", None),
        ("mx3.qq.com", "tencent"),
        ("mxbiz1.qq.com", "tencent"),
        ("cox.net", "cox"),
        ("mx.cox.net.example.test", "cox"),  # Sisimai's pattern, kept as it is for the reply table
        ("charter.net", "spectrum"),
        ("laposte.net", "orange"),
        ("mfsmax.docomo.ne.jp", "docomo"),
        ("mx.yahoodns.net", "yahoo"),  # Sisimai 5 reads Yahoo Inc.'s MX hosts by their own table
        ("yahoo.com", None),  # but not a relay's refusal for a yahoo.com recipient
        ("mx01.mail.icloud.com", "apple"),
        ("icloud.com", "apple"),  # Sisimai 5: the recipient's domain names Apple's table too
    ],
)
def test_a_reply_table_reads_the_hosts_it_read_before(host: str, table: str | None) -> None:
    found = find(host)
    assert (found[0] if found else None) == table


@pytest.fixture
def skills_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of skills/ the loaders read instead of the shipped one (their caches cleared around it)."""
    shipped = loader.skills_dir()
    for name in ("provider.yaml", "receivers.yaml", "errors.yaml", "reasons.yaml"):
        shutil.copy(shipped / name, tmp_path / name)
    loaders = (receivers, tables, catalog)
    monkeypatch.setattr(loader, "skills_dir", lambda: tmp_path)
    for cached in loaders:
        cached.cache_clear()
    yield tmp_path
    monkeypatch.undo()
    for cached in loaders:
        cached.cache_clear()


def edit(path: Path, change: dict[str, object]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    path.write_text(yaml.safe_dump({**data, **change}, allow_unicode=True), encoding="utf-8")


def test_a_reason_table_names_a_registered_receiver(skills_copy: Path) -> None:
    data = yaml.safe_load((skills_copy / "reasons.yaml").read_text(encoding="utf-8"))
    edit(skills_copy / "reasons.yaml", {"receivers": {**data["receivers"], "nobody": {"keep_reason": False}}})
    with pytest.raises(KnowledgeError, match=r"reasons\.yaml.*receivers\.nobody.*receivers\.yaml"):
        tables()


def test_the_catalog_takes_its_receivers_from_the_registry(skills_copy: Path) -> None:
    assert set(catalog().data.receivers) == set(receivers().data.receivers)
    edit(skills_copy / "errors.yaml", {"receivers": {}})
    catalog.cache_clear()
    with pytest.raises(KnowledgeError, match=r"errors\.yaml.*field receivers.*receivers\.yaml"):
        catalog()


def test_a_cause_names_a_registered_receiver(skills_copy: Path) -> None:
    registry = yaml.safe_load((skills_copy / "receivers.yaml").read_text(encoding="utf-8"))
    del registry["receivers"]["yahoo"]
    edit(skills_copy / "receivers.yaml", registry)
    with pytest.raises(KnowledgeError, match=r"errors\.yaml.*unknown receiver yahoo"):
        catalog()
