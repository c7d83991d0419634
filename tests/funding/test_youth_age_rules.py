"""Which law pays around the 18th birthday: worked examples, end to end through the services.

Sources (each example names the ones it rests on):

- [jeugdige] Jeugdwet art. 1.1, definition of "jeugdige": under 18; from 18 to 23 only when
  the municipality decided that youth care is continued (started or decided before 18, or
  resumed within half a year after it ended). Explained by regelhulp.nl, "Jongeren met
  jeugdhulp die 18 jaar worden" (three situations, "maximaal 5 jaar, tot uw kind 23 jaar is")
  and Stimulansz, "Verlengde jeugdhulp" ("binnen een termijn van een half jaar").
- [jeugdhulp 2°/3°] Jeugdwet art. 1.1, definition of "jeugdhulp" onder 2° (promoting
  participation and self-reliance: guidance, begeleiding) and 3° (personal care): both only
  for jeugdigen "die de leeftijd van achttien jaar nog niet hebben bereikt" (quoted by
  rigg.nl, "Definitie Jeugdhulp en doelgroep Jeugdwet"); regelhulp.nl: "Begeleidende
  verzorging voor volwassenen valt onder de Wmo".
- [art. 1.2] Jeugdwet art. 1.2 lid 1: no jeugdhulp for what the Zvw covers from 18; GGZ
  treatment of adults is Zvw care (fixtures/reference/funding_streams.json: zvw-ggz min_age 18).
  The sources searched give no worked example with dates; the dates below are our own.
"""

import datetime
from dataclasses import dataclass, field

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.formats import date_format

from apps.funding.reasons import funding_reason_text, refusal_text
from apps.funding.rules import allocation_refusal
from apps.trajectories.assignment import funding_preview
from apps.trajectories.models import Activity
from apps.trajectories.services import activity_log
from apps.trajectories.youth_care import (
    extended_youth_care_register,
    extended_youth_care_stop,
)
from tests.clients.factories import ClientFactory
from tests.funding.builders import product, register
from tests.trajectories.factories import TrajectoryFactory

D = datetime.date
BORN = D(2007, 6, 15)  # 18 on Sunday 15 June 2025, 23 on 15 June 2030
BIRTHDAY = D(2025, 6, 15)
CARE_ENDED = D(2025, 6, 14)  # youth care ended the day before the 18th birthday

CONTINUED = {
    "basis": "continued",
    "care_started_on": D(2024, 9, 1),
    "decided_by": "College van B&W, gemeente Utrecht",
    "decision_reference": "VJH-2025-001",
    "decision_date": D(2025, 5, 20),
    "start": BIRTHDAY,
    "until": D(2026, 6, 14),
}


def _resumed(months_later: int) -> dict:
    resumed = CARE_ENDED.replace(month=CARE_ENDED.month + months_later)  # same year here
    return {
        **CONTINUED,
        "basis": "resumed",
        "previous_care_ended_on": CARE_ENDED,
        "decision_date": resumed,
        "start": resumed,
    }


# Products: a stream, and what the product is (JZ020 category, guidance or not).
AMBULANT = ("jeugdwet", {"category": "45"})
YOUTH_GGZ = ("jeugdwet", {"category": "54", "description": "Jeugd-ggz behandeling"})
JW_GUIDANCE = ("jeugdwet", {"category": "45", "is_guidance": True})
# An ambulant product that pays for treatment and for guidance and personal care (not flagged
# as a guidance product): the kind of the activity decides what is not extended.
AMBULANT_BROAD = (
    "jeugdwet",
    {
        "category": "45",
        "activity_kinds": ["treatment_session", "guidance", "personal_care"],
    },
)
ZVW_GGZ = ("zvw-ggz", {})
WMO_GUIDANCE = ("wmo", {"is_guidance": True})


@dataclass
class Example:
    name: str
    source: str
    products: list[tuple[str, dict]]
    kind: str
    day: datetime.date
    pays: str | None  # the stream that pays, or None: unfunded
    jeugdwet_refusal: str | None  # why the (first) Jeugdwet allocation does not pay
    extended: dict | None = None
    refused_at_recording: bool = False
    extra: dict = field(default_factory=dict)


EXAMPLES = [
    Example(
        "GGZ treatment the day before the 18th birthday: Jeugdwet",
        "[jeugdige], [art. 1.2]",
        [YOUTH_GGZ, ZVW_GGZ],
        "treatment_session",
        D(2025, 6, 14),
        pays="jeugdwet",
        jeugdwet_refusal=None,
    ),
    Example(
        "GGZ treatment on the 18th birthday: Zvw from that day",
        "[jeugdige], [art. 1.2]",
        [YOUTH_GGZ, ZVW_GGZ],
        "treatment_session",
        BIRTHDAY,
        pays="zvw-ggz",
        jeugdwet_refusal="ggz_from_18_zvw",
    ),
    Example(
        "GGZ treatment on the 18th birthday with extended youth care: still the Zvw",
        "[art. 1.2]",
        [YOUTH_GGZ, ZVW_GGZ],
        "treatment_session",
        BIRTHDAY,
        pays="zvw-ggz",
        jeugdwet_refusal="ggz_from_18_zvw",
        extended=CONTINUED,
    ),
    Example(
        "Guidance after 18 with extended youth care: never extended, the Wmo pays",
        "[jeugdhulp 2°/3°]",
        [JW_GUIDANCE, WMO_GUIDANCE],
        "guidance",
        D(2025, 7, 1),
        pays="wmo",
        jeugdwet_refusal="guidance_not_extended",
        extended=CONTINUED,
    ),
    Example(
        "Guidance logged on an ambulant Jeugdwet allocation after 18: not extended",
        "[jeugdhulp 2°/3°]",
        [AMBULANT_BROAD],
        "guidance",
        D(2025, 7, 1),
        pays=None,
        jeugdwet_refusal="guidance_not_extended",
        extended=CONTINUED,
    ),
    Example(
        "Personal care after 18 with extended youth care: not extended",
        "[jeugdhulp 2°/3°]",
        [AMBULANT_BROAD],
        "personal_care",
        D(2025, 7, 1),
        pays=None,
        jeugdwet_refusal="personal_care_not_extended",
        extended=CONTINUED,
    ),
    Example(
        "Ambulant youth care after 18 with extended youth care: Jeugdwet",
        "[jeugdige]",
        [AMBULANT],
        "treatment_session",
        D(2025, 7, 1),
        pays="jeugdwet",
        jeugdwet_refusal=None,
        extended=CONTINUED,
    ),
    Example(
        "Extended youth care resumed after five months: Jeugdwet pays",
        "[jeugdige] (resumed within half a year)",
        [AMBULANT],
        "treatment_session",
        D(2025, 11, 20),
        pays="jeugdwet",
        jeugdwet_refusal=None,
        extended=_resumed(5),
    ),
    Example(
        "Resumed after five months, care in the gap before it resumed: not paid",
        "[jeugdige] (resumed within half a year)",
        [AMBULANT],
        "treatment_session",
        D(2025, 9, 1),
        pays=None,
        jeugdwet_refusal="extended_not_on_date",
        extended=_resumed(5),
    ),
    Example(
        "Extended youth care resumed after seven months: refused, the Jeugdwet does not pay",
        "[jeugdige] (resumed within half a year)",
        [AMBULANT],
        "treatment_session",
        D(2026, 1, 20),
        pays=None,
        jeugdwet_refusal="age_limit",
        extended={**_resumed(5), "start": D(2026, 1, 14), "decision_date": D(2026, 1, 14)},
        refused_at_recording=True,
    ),
    Example(
        "The 23rd birthday: never the Jeugdwet",
        "[jeugdige] (to 23)",
        [AMBULANT],
        "treatment_session",
        D(2030, 6, 15),
        pays=None,
        jeugdwet_refusal="extended_age_limit",
        extended={**CONTINUED, "until": D(2030, 6, 14)},
        extra={"end": D(2030, 12, 31)},
    ),
]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda example: example.name)
def test_worked_example(db, example):
    trajectory = TrajectoryFactory(client=ClientFactory(date_of_birth=BORN), start=D(2025, 1, 1))
    client, lead = trajectory.client, trajectory.lead_caseworker
    allocations = [
        register(
            client,
            product(client.organisation, stream_code, **overrides),
            lead,
            volume=6000,
            end=example.extra.get("end", D(2026, 12, 31)),
        )
        for stream_code, overrides in example.products
    ]
    if example.extended is not None:
        if example.refused_at_recording:
            with translation.override("en"), pytest.raises(ValidationError) as error:
                extended_youth_care_register(client=client, actor=lead, **example.extended)
            assert "only within six months" in " ".join(error.value.messages)
        else:
            extended_youth_care_register(client=client, actor=lead, **example.extended)
    values = {"domain": "care", "kind": example.kind, "date": example.day, "duration_minutes": 60}
    if example.day <= timezone.localdate():
        activity = activity_log(
            trajectory=trajectory, performed_by=lead, actor=lead, note="", **values
        )
    else:  # care cannot be logged ahead: the preview decides it as logging would
        activity = funding_preview(
            activity=Activity(trajectory=trajectory, performed_by=lead, **values)
        )
    paid_by = activity.allocation.product.contract.stream.code if activity.allocation else None
    assert paid_by == example.pays, funding_reason_text(activity.funding_reason)
    client.refresh_from_db()
    jeugdwet = next(a for a in allocations if a.product.contract.stream.code == "jeugdwet")
    refusal = allocation_refusal(allocation=jeugdwet, activity=activity, client=client)
    assert (refusal or {}).get("code") == example.jeugdwet_refusal
    if refusal is not None:
        with translation.override("en"):
            text = refusal_text(refusal)
            assert date_format(date(refusal["birthday"]), "SHORT_DATE_FORMAT") in text


def date(value: str) -> datetime.date:
    return datetime.date.fromisoformat(value)


def test_the_age_limit_refusal_says_that_extended_youth_care_could_be_recorded(db):
    refusal = {
        "code": "age_limit",
        "number": "JW-1",
        "stream": "Jeugdwet",
        "age": 18,
        "birthday": "2025-06-15",
    }
    with translation.override("en"):
        assert "unless extended youth care is recorded" in refusal_text(refusal)


@pytest.mark.parametrize(
    ("code", "english", "dutch"),
    [
        ("ggz_from_18_zvw", "health insurer (Zvw)", "zorgverzekeraar (Zvw)"),
        ("personal_care_not_extended", "personal care", "persoonlijke verzorging"),
        ("extended_age_limit", "23rd birthday", "23e verjaardag"),
        ("extended_not_on_date", "outside the recorded extended youth care", "buiten de"),
    ],
)
def test_the_new_refusals_in_english_and_dutch(code, english, dutch):
    refusal = {
        "code": code,
        "number": "JW-1",
        "stream": "Jeugdwet",
        "age": 23,
        "birthday": "2025-06-15",
        "article": "Jeugdwet art. 1.2 lid 1",
        "start": "2025-11-14",
        "until": "2026-06-14",
        "date": "2025-09-01",
    }
    with translation.override("en"):
        assert english in refusal_text(refusal)
    with translation.override("nl"):
        text = refusal_text(refusal)
    assert dutch in text
    assert "15-06-2025" in text


def test_ending_extended_youth_care_releases_the_care_after_it_and_recording_absorbs_it(db):
    trajectory = TrajectoryFactory(client=ClientFactory(date_of_birth=BORN), start=D(2025, 1, 1))
    client, lead = trajectory.client, trajectory.lead_caseworker
    register(client, product(client.organisation, *AMBULANT[:1], **AMBULANT[1]), lead, volume=6000)

    def session(day):
        return activity_log(
            trajectory=trajectory,
            domain="care",
            kind="treatment_session",
            date=day,
            duration_minutes=60,
            performed_by=lead,
            actor=lead,
            note="",
        )

    july, october = session(D(2025, 7, 1)), session(D(2025, 10, 1))
    assert {july.funding_status, october.funding_status} == {"unfunded"}

    care = extended_youth_care_register(client=client, actor=lead, **CONTINUED)
    july.refresh_from_db()
    october.refresh_from_db()
    assert (july.funding_status, october.funding_status) == ("funded", "funded")

    extended_youth_care_stop(care=care, ended_on=D(2025, 8, 31), actor=lead)
    july.refresh_from_db()
    october.refresh_from_db()
    assert (july.funding_status, october.funding_status) == ("funded", "unfunded")
    assert october.funding_reason["refusals"][0]["code"] == "extended_not_on_date"
    assert october.history.first().history_user == lead
