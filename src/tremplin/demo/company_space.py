"""The company space in the demo: Lagon BTP declares a person it hired in Mayotte.

After the territory is written, the company's own user declares, through the same
services as its pages, a person hired on one of its running contracts: her identity,
the prescriber who referred her, an eligibility criterion vouched for with a (tiny,
generated) PDF attestation that the facilitator has yet to check, and her first months
of hours, declared and waiting for validation. A newcomer logging in as the company, then
as the facilitator, sees both ends of the flow.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile

from tremplin.core.models import RomeJobTitle
from tremplin.demo.planning import add_months
from tremplin.inclusion import services as inclusion
from tremplin.inclusion.enums import ExecutionMode
from tremplin.inclusion.models import EligibilityCriterion, Placement
from tremplin.organisations.enums import OrganisationKind, PrescriberKind
from tremplin.organisations.models import Network, Organisation, User
from tremplin.procurement.models import Contract

COMPANY_NAME = "Lagon BTP"
# Masons (F1703) build most of the island's schools and hospitals.
JOB_ROME_CODE = "F1703"
HOURS = (Decimal("151.67"), Decimal("140"))


def tiny_pdf(lines: list[str]) -> bytes:
    """A one-page PDF showing ``lines`` (Helvetica, WinAnsi encoding), built by hand."""

    def escaped(text: str) -> bytes:
        raw = text.encode("cp1252")
        return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")

    content = b"BT /F1 13 Tf 72 770 Td 18 TL"
    for line in lines:
        content += b" (" + escaped(line) + b") Tj T*"
    content += b" ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length " + str(len(content)).encode() + b" >>\nstream\n" + content + b"\nendstream",
    ]
    document = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(document))
        document += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(document)
    document += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        document += f"{offset:010d} 00000 n \n".encode()
    document += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    ).encode()
    return document


def _running_contract(company: Organisation, today: date) -> Contract | None:
    """The company's contract running for a while yet, with the largest obligation."""
    return (
        Contract.objects.filter(
            awarded_company=company,
            execution_start__lte=add_months(today, -4),
            execution_end__gte=add_months(today, 6),
            hours_required__gt=0,
        )
        .select_related("facilitator__network")
        .order_by("-hours_required", "pk")
        .first()
    )


def declare_a_hire(network: Network, company_email: str, today: date) -> Placement | None:
    """Lagon BTP declares Nasra Ahamadi, hired as a mason three months ago, with her RSA
    attestation to check and two months of hours to validate."""
    company = Organisation.objects.filter(
        network=network, kind=OrganisationKind.COMPANY, name=COMPANY_NAME
    ).first()
    actor = User.objects.filter(email=company_email).first()
    contract = _running_contract(company, today) if company else None
    if company is None or actor is None or contract is None:
        return None
    prescriber = Organisation.objects.filter(
        network=network,
        kind=OrganisationKind.PRESCRIBER,
        prescriber_kind=PrescriberKind.DEPARTMENT_RSA,
    ).first()
    start = max(contract.execution_start, add_months(today.replace(day=1), -3))
    attestation = tiny_pdf(
        [
            "Caisse de sécurité sociale de Mayotte — prestations familiales",
            "",
            "ATTESTATION DE PAIEMENT DU RSA",
            "",
            "Document fictif de démonstration : aucune personne réelle.",
            f"Madame Nasra AHAMADI perçoit le revenu de solidarité active depuis le "
            f"{start - timedelta(days=400):%d/%m/%Y}.",
            f"Fait à Mamoudzou, le {start - timedelta(days=10):%d/%m/%Y}.",
        ]
    )
    placement = inclusion.participant_declare(
        actor=actor,
        contract=contract,
        employer=company,
        participant_fields={
            "first_name": "Nasra",
            "last_name": "Ahamadi",
            "birth_date": date(1994, 3, 12),
            "sex": "F",
            "postal_code": "97600",
            "city": "Mamoudzou",
            "qpv_resident": True,
            "phone": "06 39 21 47 85",
            "referred_by": prescriber,
        },
        criteria=[
            (
                EligibilityCriterion.objects.get(code="rsa"),
                "Attestation de paiement du RSA — pièce jointe par Lagon BTP",
                ContentFile(attestation, name="attestation-rsa.pdf"),
            )
        ],
        placement_fields={
            "execution_mode": ExecutionMode.DIRECT_CDD,
            "job": RomeJobTitle.objects.filter(rome_id=JOB_ROME_CODE, title__startswith="Maçon")
            .order_by("code")
            .first(),
            "start_date": start,
            "end_date": min(contract.execution_end, add_months(start, 12) - timedelta(days=1)),
            "lot": None,
        },
    )
    for offset, hours in zip((-2, -1), HOURS, strict=True):
        month = add_months(today.replace(day=1), offset)
        if month >= start.replace(day=1):
            inclusion.hours_declare(
                actor=actor, placement=placement, month=month, hours_worked=hours
            )
    return placement
