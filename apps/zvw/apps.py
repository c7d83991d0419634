from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ZvwConfig(AppConfig):
    """GGZ after 18 as the health insurers pay it (Zvw): the client's insurer and referral,
    consults registered as the zorgprestatiemodel asks, the prestaties derived from them, and
    the monthly declaration to each insurer (docs/zvw.md)."""

    name = "apps.zvw"
    label = "zvw"
    verbose_name = _("GGZ under the Zvw")
