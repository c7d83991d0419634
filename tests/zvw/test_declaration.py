"""The monthly declaration to an insurer: drafted from the derived prestaties, priced by the
year's tariffs (contracted or not), exported as an EI file whose every record and total is
checked here, and answered.

Sources:
- [GZ321] Vektis, EI standard "Declaratie Basis en Gespecialiseerde GGZ" GZ321 (declaration)
  and GZ322 (answer) (docplayer.nl, "Declaratie Basis en Gespecialiseerde GGZ GZ321-GZ322").
- [nota] zilverenkruis.nl, "Restitutienota ggz": what a ggz declaration carries (UZOVI,
  verzekerdennummer, AGB verwijzer, verwijstype, AGB regiebehandelaar, zorgvraagtype;
  per prestatie: prestatiecode from code list 071, date, tariff, number 1, AGB zorgverlener).
- [tarieven] zorgprestatiemodel.atlassian.net, "Prestaties en tarieven" (version 1.03): maximum
  tariffs; a contract may agree up to 10% above the maximum, only in writing.
- [EI] the EI conventions (fixed-length records: 01 voorlooprecord, 02, 04, 99 sluitrecord with
  counts and total; N right-aligned with zeros, AN left-aligned with spaces; CCYYMMDD).
The field positions are this system's (apps/zvw/ei.py says why); the tests pin them.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from apps.zvw.declaration import (
    insurer_answer_build,
    insurer_answer_import,
    insurer_declaration_approve,
    insurer_declaration_draft,
    insurer_declaration_export,
    rejected_line_resolve,
)
from apps.zvw.ei import LINE_END, RECORD_LENGTH, EIError, ei_validate, record_read
from apps.zvw.models import InsurerDeclaration, LineStatus, MaxTariff, Profession
from apps.zvw.services import (
    contract_tariff_set,
    insurer_contract_create,
    max_tariff_set,
    practitioner_profile_set,
)
from tests.accounts.factories import OrganisationFactory
from tests.funding.builders import trajectory_of
from tests.zvw.factories import complete_route, practitioner, typed
from tests.zvw.test_route import _log

D = datetime.date
BORN = D(2007, 6, 15)

pytestmark = pytest.mark.django_db

TREATMENT_45 = "consult:behandeling:gz_psycholoog:45"
TREATMENT_15_PSYCHIATRIST = "consult:behandeling:arts_specialist:15"


def _tariffs(actor):
    # Demo codes and amounts, not the NZa's: the tests pin the mechanics, not the figures.
    max_tariff_set(year=2025, prestatie=TREATMENT_45, code="DEMO-CB45GZ", cents=19_800, actor=actor)
    max_tariff_set(
        year=2025,
        prestatie=TREATMENT_15_PSYCHIATRIST,
        code="DEMO-CB15AS",
        cents=11_050,
        actor=actor,
    )


def _world(agb_code="73730001", **organisation_fields):
    organisation = OrganisationFactory(agb_code=agb_code, **organisation_fields)
    psychologist = practitioner(organisation)
    practitioner_profile_set(
        user=psychologist,
        profession=Profession.GZ_PSYCHOLOOG,
        agb_code="94001234",
        actor=psychologist,
    )
    psychiatrist = practitioner(organisation, Profession.PSYCHIATER)
    practitioner_profile_set(
        user=psychiatrist,
        profession=Profession.PSYCHIATER,
        agb_code="01005678",
        actor=psychiatrist,
    )
    trajectory = trajectory_of(
        organisation,
        lead=psychologist,
        date_of_birth=BORN,
        bsn="111222333",
        family_name="Jansen",
        given_name="Sanne Maria",
    )
    complete_route(trajectory.client, psychologist, regiebehandelaar=psychologist)
    typed(trajectory.client, psychologist, measured_on=D(2025, 6, 1))
    _tariffs(psychologist)
    first = _log(trajectory, D(2025, 6, 16), minutes=47)
    second = _log(trajectory, D(2025, 6, 20), minutes=20, performed_by=psychiatrist)
    return organisation, psychologist, trajectory, first, second


def _draft(organisation, actor):
    return insurer_declaration_draft(
        organisation=organisation, uzovi="3311", year=2025, month=6, actor=actor
    )


def test_a_month_is_drafted_from_the_derived_prestaties_at_the_uncontracted_maximum():
    organisation, psychologist, _trajectory, first, second = _world()
    draft = _draft(organisation, psychologist)
    lines = list(draft.declaration.lines.order_by("line_number"))
    assert [(line.activity_id, line.prestatie, line.code, line.count) for line in lines] == [
        (first.pk, TREATMENT_45, "DEMO-CB45GZ", 1),
        (second.pk, TREATMENT_15_PSYCHIATRIST, "DEMO-CB15AS", 1),
    ]
    assert [line.contracted for line in lines] == [False, False]
    assert [line.amount_cents for line in lines] == [19_800, 11_050]
    assert draft.blocked == []


def test_a_contract_tariff_prices_the_line_and_may_be_at_most_10_percent_above_the_maximum():
    # [tarieven]
    organisation, psychologist, *_rest = _world()
    contract = insurer_contract_create(
        organisation=organisation,
        uzovi="3311",
        year=2025,
        reference="ZV-2025-17",
        actor=psychologist,
    )
    contract_tariff_set(contract=contract, prestatie=TREATMENT_45, cents=21_780, actor=psychologist)
    with pytest.raises(ValidationError, match="10%"):
        contract_tariff_set(
            contract=contract, prestatie=TREATMENT_45, cents=21_781, actor=psychologist
        )
    lines = list(_draft(organisation, psychologist).declaration.lines.order_by("line_number"))
    assert [(line.tariff_cents, line.contracted) for line in lines] == [
        (21_780, True),
        (11_050, True),  # the contract names no tariff for it: the maximum
    ]


def test_a_prestatie_without_a_tariff_is_left_out_and_named():
    organisation, psychologist, _trajectory, _first, second = _world()
    MaxTariff.objects.filter(prestatie=TREATMENT_15_PSYCHIATRIST).delete()
    draft = _draft(organisation, psychologist)
    assert draft.declaration.lines.count() == 1
    assert [item["activity"].pk for item in draft.blocked] == [second.pk]


def test_the_ei_file_holds_every_field_and_its_totals():
    # [GZ321], [nota], [EI]
    organisation, psychologist, _trajectory, _first, _second = _world()
    declaration = _draft(organisation, psychologist).declaration
    with pytest.raises(ValidationError):
        insurer_declaration_export(declaration=declaration, actor=psychologist)  # not reviewed
    insurer_declaration_approve(declaration=declaration, actor=psychologist)
    text = insurer_declaration_export(declaration=declaration, actor=psychologist)
    lines = text.split(LINE_END)[:-1]
    assert all(len(line) == RECORD_LENGTH for line in lines)
    assert [line[:2] for line in lines] == ["01", "02", "04", "04", "99"]
    header, insured, first, second, closing = (record_read(line) for line in lines)
    assert header["standard"] == "GZ321 "
    assert (header["uzovi"], header["provider_agb"]) == ("3311", "73730001")
    assert header["invoice_number"].strip() == declaration.number
    assert (header["period_start"], header["period_end"]) == ("20250601", "20250630")
    assert header["currency"] == "EUR"
    assert insured["bsn"] == "111222333"
    assert insured["policy_number"].strip() == "123456789"
    assert insured["birth_date"] == "20070615"
    assert insured["family_name"].strip() == "Jansen"
    assert insured["initials"].strip() == "S.M."
    assert insured["referrer_agb"] == "01012345"
    assert insured["referral_type"] == "01"  # a referral is present
    assert insured["regiebehandelaar_agb"] == "94001234"
    assert insured["care_demand_type"].strip() == "X1"
    assert first["insured_record_id"] == insured["record_id"] == "000000000001"
    assert first["code_list"] == "071"
    assert first["prestatie_code"].strip() == "DEMO-CB45GZ"
    assert (first["date"], first["number"]) == ("20250616", "0001")
    assert first["practitioner_agb"] == "94001234"
    assert (first["tariff"], first["amount"]) == ("00019800", "00000019800")
    assert first["contracted"] == "N"
    assert second["practitioner_agb"] == "01005678"
    assert (closing["insured_records"], closing["prestatie_records"]) == ("0000001", "0000002")
    assert closing["detail_records"] == "0000003"
    assert closing["total"] == "00000030850"
    assert ei_validate(text)  # and the whole file once more


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda lines: lines[:-1], "sluitrecord"),
        (lambda lines: [*lines[:-1], lines[-1][:23] + "00000030851" + lines[-1][34:]], "total"),
        (lambda lines: [lines[0], lines[1] + " ", *lines[2:]], "length"),
        (
            lambda lines: [lines[0], lines[1][:14] + "11122233X" + lines[1][23:], *lines[2:]],
            "not numeric",
        ),
        (
            lambda lines: [*lines[:2], lines[2][:14] + "000000000009" + lines[2][26:], *lines[3:]],
            "no verzekerderecord",
        ),
    ],
)
def test_a_file_that_breaks_the_layout_is_refused_with_its_faults(change, message):
    organisation, psychologist, *_rest = _world()
    declaration = _draft(organisation, psychologist).declaration
    insurer_declaration_approve(declaration=declaration, actor=psychologist)
    lines = insurer_declaration_export(declaration=declaration, actor=psychologist).split(LINE_END)[
        :-1
    ]
    with pytest.raises(EIError, match=message):
        ei_validate(LINE_END.join(change(lines)) + LINE_END)


def test_the_answer_accepts_and_rejects_lines_and_a_rejected_one_is_declared_again():
    organisation, psychologist, _trajectory, _first, second = _world()
    declaration = _draft(organisation, psychologist).declaration
    insurer_declaration_approve(declaration=declaration, actor=psychologist)
    insurer_declaration_export(declaration=declaration, actor=psychologist)
    answer = insurer_answer_build(declaration=declaration, rejected={2: "8401"})
    result = insurer_answer_import(declaration=declaration, text=answer, actor=psychologist)
    assert (result.accepted, result.rejected) == (1, 1)
    rejected = declaration.lines.get(line_number=2)
    assert (rejected.status, rejected.rejection_code) == (LineStatus.REJECTED, "8401")
    with pytest.raises(ValidationError):
        insurer_answer_import(declaration=declaration, text=answer, actor=psychologist)
    again = _draft(organisation, psychologist).declaration
    assert [line.activity_id for line in again.lines.all()] == [second.pk]
    rejected_line_resolve(line=rejected, actor=psychologist)
    rejected.refresh_from_db()
    assert rejected.status == LineStatus.RESOLVED


def test_an_organisation_from_number_1000_on_gets_a_new_invoice_number_for_each_declaration():
    # CI found it: the number was ZVW, the organisation's number and a sequence, cut to the 12
    # characters of an invoice number, so from organisation 1,000 on two declarations got one
    # number (ZVW124400000 twice) and the second month could not be drafted.
    organisation, psychologist, *_rest = _world(pk=987_654)
    first = _draft(organisation, psychologist).declaration
    insurer_declaration_approve(declaration=first, actor=psychologist)
    insurer_declaration_export(declaration=first, actor=psychologist)
    answer = insurer_answer_build(declaration=first, rejected={2: "8401"})
    insurer_answer_import(declaration=first, text=answer, actor=psychologist)
    again = _draft(organisation, psychologist).declaration  # the rejected line, declared again
    assert again is not None
    assert again.number != first.number
    assert len(first.number) <= 12
    assert len(again.number) <= 12


def test_a_number_taken_by_a_draft_at_the_same_moment_makes_the_next_take_the_following():
    # Two managers drafting at once both count ZVW + the highest declaration + 1; the second's
    # insert fails on the unique number once the first has committed. Here the May
    # declaration already holds that number (as the first manager's would).
    organisation, psychologist, *_rest = _world()
    taken = InsurerDeclaration.objects.create(
        organisation=organisation,
        uzovi="3311",
        year=2025,
        month=5,
        number="ZVW000000000",
        created_by=psychologist,
    )
    InsurerDeclaration.objects.filter(pk=taken.pk).update(number=f"ZVW{taken.pk + 1:09d}")

    draft = _draft(organisation, psychologist).declaration

    assert draft.number == f"ZVW{taken.pk + 2:09d}"
    assert InsurerDeclaration.objects.count() == 2
    assert draft.history.count() == 1


def test_an_answer_that_is_not_an_answer_is_refused_whole():
    organisation, psychologist, *_rest = _world()
    declaration = _draft(organisation, psychologist).declaration
    insurer_declaration_approve(declaration=declaration, actor=psychologist)
    sent = insurer_declaration_export(declaration=declaration, actor=psychologist)
    with pytest.raises(ValidationError, match="GZ322"):
        insurer_answer_import(declaration=declaration, text=sent, actor=psychologist)
    with translation.override("en"), pytest.raises(ValidationError, match="EI layout"):
        insurer_answer_import(declaration=declaration, text="nonsense", actor=psychologist)
    assert declaration.lines.filter(status=LineStatus.PENDING).count() == 2
