"""Allocations (with use and forecast), funders, contracts and funding alerts."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.clients.models import Client
from apps.funding.models import (
    AlertKind,
    AllocationStatus,
    AllocationVariant,
    ChangeReason,
    Contract,
    ExecutionVariant,
    Frequency,
    FunderKind,
    Product,
    Unit,
)
from apps.trajectories.use import priced_by_product

from .base import (
    AccessAwareSerializer,
    ClientRefSerializer,
    FunderRefSerializer,
    ProductRefSerializer,
    StreamRefSerializer,
    UserRefSerializer,
)
from .clients import AllocationRefSerializer

# --- funding ---------------------------------------------------------------------------------


class AllocationSerializer(serializers.Serializer):
    """An allocation; ``used``, ``used_percent``, ``ends_soon`` and ``mostly_used`` in the
    organisation's list (its window around today, as on the funding overview)."""

    optional_fields = frozenset({"used", "used_percent", "ends_soon", "mostly_used"})

    id = serializers.IntegerField(read_only=True)
    number = serializers.CharField(read_only=True)
    client = ClientRefSerializer(read_only=True)
    funder = FunderRefSerializer(read_only=True)
    variant = serializers.ChoiceField(
        choices=AllocationVariant.choices,
        read_only=True,
        help_text=_("specific (one product), aspecific (a product category) or generic (budget)."),
    )
    product = ProductRefSerializer(read_only=True, allow_null=True)
    category = serializers.CharField(
        read_only=True, help_text=_("Aspecific: the product category (JZ020, WMO020).")
    )
    contract = serializers.IntegerField(source="contract_id", read_only=True)
    budget_cents = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text=_("Aspecific or generic: the budget in euro cents; null: none."),
    )
    volume = serializers.IntegerField(read_only=True, allow_null=True)
    unit = serializers.ChoiceField(choices=Unit.choices, read_only=True)
    frequency = serializers.ChoiceField(choices=Frequency.choices, read_only=True)
    start = serializers.DateField(read_only=True)
    end = serializers.DateField(read_only=True, allow_null=True)
    status = serializers.ChoiceField(choices=AllocationStatus.choices, read_only=True)
    change_reason = serializers.CharField(
        read_only=True,
        help_text=_("The reason for its last change, from code list JZ002; empty if none."),
    )
    replaces = serializers.IntegerField(
        source="replaces_id",
        read_only=True,
        allow_null=True,
        help_text=_("The allocation this one replaces (IV066), if any."),
    )
    created_at = serializers.DateTimeField(read_only=True)
    used = serializers.IntegerField(read_only=True)
    used_percent = serializers.IntegerField(read_only=True)
    ends_soon = serializers.BooleanField(read_only=True)
    mostly_used = serializers.BooleanField(read_only=True)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        for field in self.optional_fields:
            if not hasattr(instance, field):
                data.pop(field, None)
        return data


class AllocationUseSerializer(serializers.Serializer):
    """What is used and left, in consumption units (minutes for time units), and when it runs
    out at the recent pace (the forecast of the funding pages)."""

    unit_name = serializers.CharField(read_only=True)
    windowed = serializers.BooleanField(read_only=True)
    window_start = serializers.SerializerMethodField()
    window_end = serializers.SerializerMethodField()
    capacity = serializers.IntegerField(read_only=True)
    used = serializers.IntegerField(read_only=True)
    left = serializers.IntegerField(read_only=True)
    percent = serializers.IntegerField(read_only=True)
    total_capacity = serializers.IntegerField(read_only=True, allow_null=True)
    total_used = serializers.IntegerField(read_only=True)
    total_left = serializers.IntegerField(read_only=True, allow_null=True)
    total_percent = serializers.IntegerField(read_only=True, allow_null=True)
    burn_per_week = serializers.IntegerField(
        read_only=True, help_text=_("Used per week at the pace of the last four weeks.")
    )
    exceeds_window = serializers.BooleanField(
        read_only=True, help_text=_("At that pace a window's volume does not last the window.")
    )
    runs_out_on = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text=_("The day the volume runs out at that pace; null when it lasts."),
    )

    @extend_schema_field(OpenApiTypes.DATE)
    def get_window_start(self, use) -> str:
        return use.window[0].isoformat()

    @extend_schema_field({"type": "string", "format": "date", "nullable": True})
    def get_window_end(self, use) -> str | None:
        return use.window[1].isoformat() if use.window[1] else None


class AllocationDetailSerializer(AllocationSerializer):
    stream = StreamRefSerializer(source="contract.stream", read_only=True)
    use = serializers.SerializerMethodField()
    priced = serializers.SerializerMethodField(
        help_text=_(
            "Aspecific or generic: per product that priced its care, the number of activities "
            "and their value in euro cents (drawn from the budget)."
        )
    )

    @extend_schema_field(AllocationUseSerializer)
    def get_use(self, allocation):
        return AllocationUseSerializer(self.context["use"]).data

    @extend_schema_field(
        {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "code": {"type": "string"},
                    "description": {"type": "string"},
                    "count": {"type": "integer"},
                    "cents": {"type": "integer"},
                },
            },
        }
    )
    def get_priced(self, allocation) -> list:
        return priced_by_product(allocation=allocation)


class AllocationRegisterSerializer(serializers.Serializer):
    """Specific: product, volume and frequency. Aspecific: contract and category, a budget or
    not. Generic: contract and budget (iJw/iWmo 3.2, IV075)."""

    client = serializers.PrimaryKeyRelatedField(queryset=Client.objects.none())
    variant = serializers.ChoiceField(
        choices=AllocationVariant.choices, required=False, default=AllocationVariant.SPECIFIC
    )
    product = serializers.PrimaryKeyRelatedField(
        queryset=Product.objects.none(), required=False, allow_null=True, default=None
    )
    contract = serializers.PrimaryKeyRelatedField(
        queryset=Contract.objects.none(), required=False, allow_null=True, default=None
    )
    category = serializers.CharField(max_length=4, required=False, allow_blank=True, default="")
    budget_cents = serializers.IntegerField(
        min_value=1, max_value=10**12, required=False, allow_null=True, default=None
    )
    number = serializers.CharField(max_length=40)
    volume = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    unit = serializers.ChoiceField(choices=Unit.choices, required=False, allow_null=True)
    frequency = serializers.ChoiceField(
        choices=Frequency.choices, required=False, allow_null=True, default=None
    )
    start = serializers.DateField()
    end = serializers.DateField(allow_null=True, required=False, default=None)

    def __init__(self, *args, clients=None, products=None, contracts=None, **kwargs):
        super().__init__(*args, **kwargs)
        if clients is not None:
            self.fields["client"].queryset = clients
        if products is not None:
            self.fields["product"].queryset = products
        if contracts is not None:
            self.fields["contract"].queryset = contracts

    def validate(self, attrs):
        if attrs.get("variant") == AllocationVariant.SPECIFIC and not attrs.get("frequency"):
            raise serializers.ValidationError({"frequency": _("Choose the frequency.")})
        return attrs


class AllocationChangeSerializer(serializers.Serializer):
    """A change as IV066 allows it: the end date, the budget (when there is one), and the volume
    when the frequency is total within the validity, with a reason from JZ002. A start date,
    unit or frequency, or a volume of a windowed allocation, is refused: such an allocation is
    replaced (``replace/``)."""

    reason = serializers.ChoiceField(
        choices=ChangeReason.choices, help_text=_("Code list JZ002: why it changes.")
    )
    volume = serializers.IntegerField(min_value=1, required=False)
    budget_cents = serializers.IntegerField(min_value=1, max_value=10**12, required=False)
    unit = serializers.ChoiceField(choices=Unit.choices, required=False)
    frequency = serializers.ChoiceField(choices=Frequency.choices, required=False)
    start = serializers.DateField(required=False)
    end = serializers.DateField(allow_null=True, required=False)

    def validate(self, attrs):
        if set(attrs) == {"reason"}:
            raise serializers.ValidationError(_("Give at least one field to change."), "empty")
        return attrs


class AllocationReplaceSerializer(serializers.Serializer):
    """The allocation that takes over from ``start``, under a new number (IV066)."""

    reason = serializers.ChoiceField(
        choices=ChangeReason.choices, help_text=_("Code list JZ002: why it is replaced.")
    )
    number = serializers.CharField(max_length=40)
    volume = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    unit = serializers.ChoiceField(choices=Unit.choices, required=False, allow_null=True)
    frequency = serializers.ChoiceField(
        choices=Frequency.choices, required=False, allow_null=True, default=None
    )
    budget_cents = serializers.IntegerField(
        min_value=1,
        max_value=10**12,
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Aspecific or generic: the new allocation's budget (its own when not given)."),
    )
    start = serializers.DateField()
    end = serializers.DateField(allow_null=True, required=False, default=None)


class FunderSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    kind = serializers.ChoiceField(choices=FunderKind.choices, read_only=True)
    code = serializers.CharField(read_only=True)
    streams = StreamRefSerializer(many=True, read_only=True)


class ProductSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    code = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)
    category = serializers.CharField(read_only=True)
    unit = serializers.ChoiceField(choices=Unit.choices, read_only=True)
    tariff_cents = serializers.IntegerField(read_only=True)
    is_guidance = serializers.BooleanField(read_only=True)


class ContractSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    reference = serializers.CharField(read_only=True)
    funder = FunderRefSerializer(read_only=True)
    stream = StreamRefSerializer(read_only=True)
    start = serializers.DateField(read_only=True)
    end = serializers.DateField(read_only=True, allow_null=True)
    execution_variant = serializers.ChoiceField(choices=ExecutionVariant.choices, read_only=True)
    product_count = serializers.IntegerField(read_only=True)
    active_allocation_count = serializers.IntegerField(read_only=True)


class ContractDetailSerializer(ContractSerializer):
    products = ProductSerializer(many=True, read_only=True)


class AlertSerializer(AccessAwareSerializer):
    """A funding alert. What it says (``text``, ``details``) only where the client's identity
    is shown: an alert about turning 18 names the birthday."""

    access_fields = {"text": "sees_identity", "details": "sees_identity"}

    id = serializers.IntegerField(read_only=True)
    kind = serializers.ChoiceField(choices=AlertKind.choices, read_only=True)
    client = ClientRefSerializer(read_only=True)
    allocation = AllocationRefSerializer(read_only=True, allow_null=True)
    raised_on = serializers.DateField(read_only=True)
    acknowledged_at = serializers.DateTimeField(read_only=True, allow_null=True)
    acknowledged_by = UserRefSerializer(read_only=True, allow_null=True)
    resolved_at = serializers.DateTimeField(read_only=True, allow_null=True)
    text = serializers.CharField(read_only=True)
    details = serializers.DictField(read_only=True)

    def access_for(self, alert):
        return self.context["accesses"].get(alert.client_id)
