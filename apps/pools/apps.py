from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoolsConfig(AppConfig):
    """Integral funding: one pooled budget from several funders for a young person's whole
    programme, its price, each funder's share and the comparison with the regular route
    (docs/pools.md)."""

    name = "apps.pools"
    label = "pools"
    verbose_name = _("Pooled budgets")
