"""The zorgprestatiemodel's prestaties derived from what was registered: plain Python, no
database, each result with its reason (codes, put into words per language by ``reason_text``).

Sources (zorgprestatiemodel, version 1.3, after NZa beleidsregel BR/REG-22137b; docs/zvw.md):

- a consult is a direct, uninterrupted contact about care between one practitioner and one
  patient (or the patient's relatives); with several practitioners present each registers his
  own consult ("Consult en toeslag consult"); its duration is the direct time, in categories
  with lower bounds ("vanaf") of 5, 15, 30, 45, 60, 75, 90 and 120 minutes; under 5 minutes
  it is not declarable; over 120 it is the 120-minute consult (NZa, "Een consult duurt soms
  langer dan 120 minuten");
- diagnostic consults and treatment consults are separate prestaties (consult diagnostiek,
  consult behandeling);
- the consult's category is the practitioner's profession category ("Beroepscategorie en
  beroepen"); a profession not on the list registers no declarable consult;
- a group consult (2 or more patients at once) is cut into blocks of 30 minutes per
  practitioner; a remainder under 30 minutes counts only when it is over 15 minutes; each
  practitioner declares his own group consults, per patient, by his profession category and the
  group size (every patient present counts, from every funding stream) ("Groepsconsult");
- intercollegiaal overleg is a prestatie only in the setting "ambulant kwaliteitsstatuut
  sectie II" ("Overige prestaties", 6 and 7); this organisation works multidisciplinary, where
  the consult tariffs include the indirect time (zorgprestatiemodel.nl, "Uitleg: juist
  registreren van consulten"), so a consultation between colleagues derives none.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from apps.core.domains import ActivityKind

from .models import PROFESSIONS, ProfessionCategory

CONSULT_MINUTES = (5, 15, 30, 45, 60, 75, 90, 120)
GROUP_BLOCK_MINUTES = 30
GROUP_REMAINDER_OVER = 15  # a remainder counts only when over (not at) 15 minutes

DIAGNOSTIC_KINDS = frozenset({ActivityKind.INTAKE, ActivityKind.DIAGNOSTICS})
TREATMENT_KINDS = frozenset(
    {ActivityKind.TREATMENT_SESSION, ActivityKind.FAMILY_SESSION, ActivityKind.CRISIS_CONTACT}
)
GROUP_KINDS = frozenset({ActivityKind.GROUP_SESSION})
CONSULTATION_KINDS = frozenset({ActivityKind.CASE_CONSULTATION})
# The kinds of GGZ treatment the Zvw pays from the 18th birthday (docs/zvw.md).
ZVW_GGZ_KINDS = DIAGNOSTIC_KINDS | TREATMENT_KINDS | GROUP_KINDS | CONSULTATION_KINDS


class PrestatieKind:
    DIAGNOSTIEK = "diagnostiek"
    BEHANDELING = "behandeling"
    GROEP = "groep"


@dataclass(frozen=True)
class Practitioner:
    """Who took part: the worker and his profession ("" when none is recorded)."""

    user_id: int
    profession: str


@dataclass(frozen=True)
class Prestatie:
    """One derived prestatie (``count`` of them: a group consult of 90 minutes is three)."""

    kind: str
    category: str
    minutes: int  # the duration category's lower bound; 30 for a group consult's block
    practitioner_id: int
    count: int = 1
    group_size: int | None = None

    @property
    def key(self) -> str:
        """The prestatie as the tariff tables name it (``MaxTariff.prestatie``)."""
        if self.kind == PrestatieKind.GROEP:
            return f"groep:{self.category}:{self.group_size_category}"
        return f"consult:{self.kind}:{self.category}:{self.minutes}"

    @property
    def group_size_category(self) -> str:
        return str(self.group_size) if self.group_size is not None else ""

    @property
    def label(self) -> str:
        category = ProfessionCategory(self.category).label
        if self.kind == PrestatieKind.GROEP:
            return _("Group consult of %(category)s, per patient in a group of %(size)s") % {
                "category": category,
                "size": self.group_size,
            }
        if self.kind == PrestatieKind.DIAGNOSTIEK:
            text = _("Diagnostic consult of %(category)s from %(minutes)s minutes")
        else:
            text = _("Treatment consult of %(category)s from %(minutes)s minutes")
        return text % {"category": category, "minutes": self.minutes}


@dataclass
class Derivation:
    """The prestaties of one activity of one client, and why (or why none)."""

    prestaties: list[Prestatie] = field(default_factory=list)
    reasons: list[dict] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(prestatie.count for prestatie in self.prestaties)


def consult_minutes(direct_minutes: int) -> int | None:
    """The consult's duration category: the highest lower bound the direct time reaches;
    None under 5 minutes."""
    reached = [bound for bound in CONSULT_MINUTES if direct_minutes >= bound]
    return reached[-1] if reached else None


def group_blocks(direct_minutes: int) -> int:
    """How many group consults of 30 minutes a practitioner's direct time makes: whole blocks,
    and the remainder when it is over 15 minutes."""
    blocks, remainder = divmod(direct_minutes, GROUP_BLOCK_MINUTES)
    return blocks + (1 if remainder > GROUP_REMAINDER_OVER else 0)


def derive(
    *,
    kind: str,
    direct_minutes: int | None,
    practitioners: list[Practitioner],
    group_size: int | None = None,
) -> Derivation:
    """The prestaties one client's activity yields under the zorgprestatiemodel."""
    result = Derivation()
    if kind in CONSULTATION_KINDS:
        result.reasons.append({"code": "consultation_in_consult_tariff"})
        return result
    if kind not in ZVW_GGZ_KINDS:
        result.reasons.append({"code": "not_ggz_treatment", "kind": kind})
        return result
    if not direct_minutes:
        result.reasons.append({"code": "no_direct_time"})
        return result
    if kind in GROUP_KINDS:
        if group_size is None or group_size < 2:
            result.reasons.append({"code": "group_too_small", "size": group_size or 0})
            return result
        blocks = group_blocks(direct_minutes)
        if blocks == 0:
            result.reasons.append({"code": "group_under_block", "minutes": direct_minutes})
            return result
        for practitioner in practitioners:
            category = _category(practitioner, result)
            if category is None:
                continue
            result.prestaties.append(
                Prestatie(
                    kind=PrestatieKind.GROEP,
                    category=category,
                    minutes=GROUP_BLOCK_MINUTES,
                    practitioner_id=practitioner.user_id,
                    count=blocks,
                    group_size=group_size,
                )
            )
        result.reasons.append(
            {
                "code": "group",
                "minutes": direct_minutes,
                "blocks": blocks,
                "size": group_size,
                "practitioners": len(practitioners),
            }
        )
        return result
    minutes = consult_minutes(direct_minutes)
    if minutes is None:
        result.reasons.append({"code": "under_5_minutes", "minutes": direct_minutes})
        return result
    consult_kind = (
        PrestatieKind.DIAGNOSTIEK if kind in DIAGNOSTIC_KINDS else PrestatieKind.BEHANDELING
    )
    for practitioner in practitioners:
        category = _category(practitioner, result)
        if category is None:
            continue
        result.prestaties.append(
            Prestatie(
                kind=consult_kind,
                category=category,
                minutes=minutes,
                practitioner_id=practitioner.user_id,
            )
        )
    result.reasons.append(
        {"code": "consult", "kind": consult_kind, "minutes": direct_minutes, "bound": minutes}
    )
    return result


def _category(practitioner: Practitioner, result: Derivation) -> str | None:
    entry = PROFESSIONS.get(practitioner.profession)
    if entry is None:
        result.reasons.append({"code": "no_profession", "user": practitioner.user_id})
        return None
    return entry[0]


def reason_text(reason: dict) -> str:
    """A derivation's reason in the active language."""
    code = reason["code"]
    if code == "consult":
        kind = (
            _("diagnostic consult")
            if reason["kind"] == PrestatieKind.DIAGNOSTIEK
            else _("treatment consult")
        )
        return _(
            "%(minutes)s minutes of direct time: a %(kind)s from %(bound)s minutes, one per "
            "practitioner present."
        ) % {"minutes": reason["minutes"], "kind": kind, "bound": reason["bound"]}
    if code == "group":
        return (
            _(
                "%(minutes)s minutes in a group of %(size)s: %(blocks)s group consults of 30 "
                "minutes per practitioner (%(practitioners)s), per patient."
            )
            % reason
        )
    if code == "under_5_minutes":
        return _("%(minutes)s minutes of direct time: under 5 minutes is not a consult.") % reason
    if code == "group_under_block":
        return (
            _("%(minutes)s minutes in a group: a remainder counts only when over 15 minutes.")
            % reason
        )
    if code == "group_too_small":
        return _("A group consult needs 2 or more patients present (%(size)s).") % reason
    if code == "no_direct_time":
        return _("No direct time is registered.")
    if code == "no_profession":
        return _("A practitioner has no profession the zorgprestatiemodel lists.")
    if code == "consultation_in_consult_tariff":
        return _(
            "Consultation between colleagues: in the multidisciplinary setting it is part of "
            "the consult tariffs, not a prestatie of its own."
        )
    if code == "not_ggz_treatment":
        return _("Not GGZ treatment: no prestatie.")
    return code
