from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkdayConfig(AppConfig):
    """Each person's day: the start page (what waits for a caseworker, a teacher, a job coach;
    the organisation's signals for a manager; their own entry points for a privacy officer and
    an administrator) and the manager's client search. It reads the apps below it and writes
    nothing but the access log, so it sits at the top beside the API."""

    name = "apps.workday"
    label = "workday"
    verbose_name = _("Workday")
