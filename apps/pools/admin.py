"""The administrator sets up a pool's funders: each with its law (whose age rules decide
when it pays), its share or shares per domain, its agreed contribution, and what it paid in.
The pool itself (name, period, domains, budget, pricing, split rule) is set on its contract
(apps.control.admin)."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from apps.core.admin import OrganisationScopedAdmin, ScopedHistoryAdmin
from apps.funding.models import IntegralPilot

from .models import (
    PoolDomainShare,
    PoolFunder,
    PoolPayment,
    domain_share_message,
    domain_share_totals,
)
from .selectors import pool_share_problems


class DomainShareFormSet(BaseInlineFormSet):
    """Per domain, the funders that pay at one age hold at most the whole (1000 per mille)
    together; the whole itself is checked over all the pool's funders (``pool_share_problems``,
    shown when saved and on the pool's page)."""

    def clean(self) -> None:
        super().clean()
        part = self.instance
        if any(self.errors) or part.pool_id is None:
            return
        rows = [
            (part, form.cleaned_data["domain"], form.cleaned_data["share_permille"])
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("domain")
            and form.cleaned_data.get("share_permille")
        ]
        others = [
            (share.part, share.domain, share.share_permille)
            for share in PoolDomainShare.objects.filter(part__pool_id=part.pool_id)
            .exclude(part_id=part.pk)
            .select_related("part__stream")
        ]
        over = [
            domain_share_message(domain, age, total)
            for (domain, age), total in sorted(domain_share_totals([*others, *rows]).items())
            if total > 1000 and any(row[1] == domain and part.pays_at_age(age) for row in rows)
        ]
        if over:
            raise ValidationError(over)


class PoolDomainShareInline(admin.TabularInline):
    model = PoolDomainShare
    formset = DomainShareFormSet
    extra = 0


class PoolPaymentInline(admin.TabularInline):
    model = PoolPayment
    extra = 0


@admin.register(PoolFunder)
class PoolFunderAdmin(OrganisationScopedAdmin, ScopedHistoryAdmin):
    organisation_path = "pool__contract__organisation"
    list_display = ["funder", "pool", "stream", "share_permille", "contribution_cents"]
    list_filter = ["pool"]
    list_select_related = ["funder", "pool", "stream"]
    inlines = [PoolDomainShareInline, PoolPaymentInline]

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        for problem in pool_share_problems(pool=form.instance.pool):
            self.message_user(request, problem, messages.WARNING)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "pool" and not request.user.is_superuser:
            kwargs["queryset"] = IntegralPilot.objects.filter(
                contract__organisation=request.user.organisation_id
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
