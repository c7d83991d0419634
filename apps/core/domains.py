"""The shared vocabulary of a trajectory: its domains and the kinds of activity in each.

Used by trajectories (what was done) and funding (what a stream may pay for); it lives here so
that neither app has to import the other for it.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Domain(models.TextChoices):
    CARE = "care", _("Care")
    EDUCATION = "education", _("Education")
    WORK = "work", _("Work")


class ActivityKind(models.TextChoices):
    # care
    INTAKE = "intake", _("Intake")
    DIAGNOSTICS = "diagnostics", _("Diagnostics")
    TREATMENT_SESSION = "treatment_session", _("Treatment session")
    GROUP_SESSION = "group_session", _("Group session")
    FAMILY_SESSION = "family_session", _("Family session")
    CRISIS_CONTACT = "crisis_contact", _("Crisis contact")
    CASE_CONSULTATION = "case_consultation", _("Case consultation")
    # Support rather than treatment: what the Wmo pays for adults (and the Jeugdwet under 18).
    GUIDANCE = "guidance", _("Guidance (begeleiding)")
    PERSONAL_CARE = "personal_care", _("Personal care")
    # Presence rather than time: day parts attended and nights of residential stay.
    DAY_ACTIVITY = "day_activity", _("Day activity (dagbesteding)")
    RESIDENTIAL_STAY = "residential_stay", _("Residential stay (night)")
    # education
    LESSON = "lesson", _("Lesson")
    EXAM = "exam", _("Exam")
    ATTENDANCE_REGISTRATION = "attendance_registration", _("Attendance registration")
    STUDY_GUIDANCE = "study_guidance", _("Study guidance")
    # work
    INTERNSHIP_DAY = "internship_day", _("Internship day")
    JOB_COACHING = "job_coaching", _("Job coaching")
    WORK_TRAINING = "work_training", _("Work training")


KINDS_BY_DOMAIN: dict[str, tuple[str, ...]] = {
    Domain.CARE: (
        ActivityKind.INTAKE,
        ActivityKind.DIAGNOSTICS,
        ActivityKind.TREATMENT_SESSION,
        ActivityKind.GROUP_SESSION,
        ActivityKind.FAMILY_SESSION,
        ActivityKind.CRISIS_CONTACT,
        ActivityKind.CASE_CONSULTATION,
        ActivityKind.GUIDANCE,
        ActivityKind.PERSONAL_CARE,
        ActivityKind.DAY_ACTIVITY,
        ActivityKind.RESIDENTIAL_STAY,
    ),
    Domain.EDUCATION: (
        ActivityKind.LESSON,
        ActivityKind.EXAM,
        ActivityKind.ATTENDANCE_REGISTRATION,
        ActivityKind.STUDY_GUIDANCE,
    ),
    Domain.WORK: (
        ActivityKind.INTERNSHIP_DAY,
        ActivityKind.JOB_COACHING,
        ActivityKind.WORK_TRAINING,
    ),
}
DOMAIN_OF_KIND: dict[str, str] = {
    kind: domain for domain, kinds in KINDS_BY_DOMAIN.items() for kind in kinds
}

# Schooling is not paid per lesson: (V)SO per pupil through DUO (with a TLV from the
# samenwerkingsverband), VO and MBO by a lump sum. Lessons, exams, study guidance and
# attendance registrations count for attendance and progress, never as a priced activity.
SCHOOL_FUNDED_KINDS = frozenset(
    {
        ActivityKind.LESSON,
        ActivityKind.EXAM,
        ActivityKind.STUDY_GUIDANCE,
        ActivityKind.ATTENDANCE_REGISTRATION,
    }
)
# An internship (beroepspraktijkvorming) is part of the school programme, funded with it.
SCHOOL_PROGRAMME_KINDS = frozenset({ActivityKind.INTERNSHIP_DAY})

# Registrations and internal consultations are recorded but never billed to a funder.
NOT_CHARGEABLE_KINDS = frozenset(
    {ActivityKind.CASE_CONSULTATION, *SCHOOL_FUNDED_KINDS, *SCHOOL_PROGRAMME_KINDS}
)


class Attendance(models.TextChoices):
    PRESENT = "present", _("Present")
    ABSENT_AUTHORISED = "absent_authorised", _("Absent, authorised")
    ABSENT_UNAUTHORISED = "absent_unauthorised", _("Absent, unauthorised")
