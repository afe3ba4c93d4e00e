"""Microsoft Exchange Server 2007 to 2019 (on premises): "Diagnostic information for administrators"."""

from __future__ import annotations

import re

from alimail_mcp.diagnosis.delivery import Delivery, Mail, Report
from alimail_mcp.diagnosis.lhost._common import fillet
from alimail_mcp.diagnosis.patterns import rx
from alimail_mcp.diagnosis.smtp import sweep

_ORIGINAL = re.compile(
    r"^(?:Original message headers:|En-t.tes de message d'origine :|Intestazioni originali del messaggio:)",
    re.MULTILINE,
)
_START = re.compile(
    r"^(?:Diagnostic information for administrators:|Informations de diagnostic pour les administrateurs"
    r"|Informazioni di diagnostica per gli amministratori)"
)
_ERROR = re.compile(r" ((?:RESOLVER|QUEUE)\.[A-Za-z]+(?:\.\w+)?);")
_SERVER = re.compile(r"^(?:Generating server|Serveur de g[^ ]+ration |Server di generazione):[ ]?(.*)")
# Exchange's NDR codes (the text before the `;`).
_CODES = {
    "SMTPSEND.DNS.NonExistentDomain": "hostunknown",
    "SMTPSEND.DNS.MxLoopback": "networkerror",
    "RESOLVER.ADR.BadPrimary": "systemerror",
    "RESOLVER.ADR.RecipNotFound": "userunknown",
    "RESOLVER.ADR.ExRecipNotFound": "userunknown",
    "RESOLVER.ADR.RecipLimit": "toomanyconn",
    "RESOLVER.ADR.InvalidInSmtp": "systemerror",
    "RESOLVER.ADR.Ambiguous": "systemerror",
    "RESOLVER.RST.AuthRequired": "securityerror",
    "RESOLVER.RST.NotAuthorized": "rejected",
    "RESOLVER.RST.RecipSizeLimit": "exceedlimit",
    "QUEUE.Expired": "expired",
}


def read(mail: Mail) -> Report | None:
    if not rx(r"^(?:Undeliverable|Non_remis_|Non recapitabile):").match(mail.subject):
        return None
    if not rx(r"^[a-z]{2}(?:-[A-Z]{2})?$").match(mail.header("content-language")):
        return None
    if mail.header("x-ms-exchange-crosstenant-originalarrivaltime") or mail.header(
        "x-ms-exchange-crosstenant-fromentityheader"
    ):
        return None
    head, original = fillet(mail.body, _ORIGINAL)
    deliveries = [Delivery()]
    reading = False
    server = None
    for line in head.split("\n"):
        if not reading:
            reading = bool(_START.match(line))
            continue
        if server is None:
            if m := _SERVER.match(line):
                server = m.group(1)
            continue
        d = deliveries[-1]
        if m := rx(r"^([^ @]+@[^ @]+)$").match(line):
            if d.recipient:
                deliveries.append(Delivery())
                d = deliveries[-1]
            d.recipient = m.group(1)
        elif m := rx(r"([45]\d{2}) ([45]\.\d\.\d+) .+$").search(line):
            d.reply_code, d.status, d.diagnosis = m.group(1), m.group(2), line
        elif d.diagnosis.endswith("="):
            d.diagnosis = d.diagnosis[:-1] + line
    deliveries = [d for d in deliveries if d.recipient]
    for d in deliveries:
        if m := _ERROR.search(d.diagnosis):
            d.reason = _CODES.get(m.group(1), "")
        d.diagnosis = sweep(d.diagnosis)
        d.lhost = d.lhost or (server or "")
    return Report(deliveries, original, "exchange2007") if deliveries else None
