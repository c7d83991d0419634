"""What the API shows and accepts. Nothing here decides access: the views open every client
through apps.trajectories.access, and a serializer leaves out what that access does not show.

``access_fields`` maps a field to the ``ClientAccess`` flag it needs (as the templates check
``access.sees_notes``); such a field is absent from the response, not empty, when the flag is
off, and it is documented as optional.
"""

from .base import (
    AccessAwareSerializer,
    ClientRefSerializer,
    ErrorSerializer,
    FieldErrorSerializer,
    FunderRefSerializer,
    MeSerializer,
    MunicipalitySerializer,
    OrganisationSerializer,
    ProductRefSerializer,
    StreamRefSerializer,
    TokenInfoSerializer,
    UserRefSerializer,
)
from .clients import (
    AccessSerializer,
    ActivityCorrectSerializer,
    ActivityFundingSerializer,
    ActivitySerializer,
    ActivityWriteSerializer,
    AllocationRefSerializer,
    ClientDetailSerializer,
    ClientListSerializer,
    GoalCreateSerializer,
    GoalProgressSerializer,
    GoalSerializer,
    MembershipSerializer,
    TrajectorySerializer,
    TrajectorySummarySerializer,
)
from .funding import (
    AlertSerializer,
    AllocationChangeSerializer,
    AllocationDetailSerializer,
    AllocationRegisterSerializer,
    AllocationReplaceSerializer,
    AllocationSerializer,
    AllocationUseSerializer,
    ContractDetailSerializer,
    ContractSerializer,
    FunderSerializer,
    ProductSerializer,
)
from .messages import (
    MessageDetailSerializer,
    MessageImportSerializer,
    MessageReceivedSerializer,
    MessageSerializer,
)
from .reports import (
    ReportRequestSerializer,
    ReportRunSerializer,
)

__all__ = [
    "AccessAwareSerializer",
    "AccessSerializer",
    "ActivityCorrectSerializer",
    "ActivityFundingSerializer",
    "ActivitySerializer",
    "ActivityWriteSerializer",
    "AlertSerializer",
    "AllocationChangeSerializer",
    "AllocationDetailSerializer",
    "AllocationRefSerializer",
    "AllocationRegisterSerializer",
    "AllocationReplaceSerializer",
    "AllocationSerializer",
    "AllocationUseSerializer",
    "ClientDetailSerializer",
    "ClientListSerializer",
    "ClientRefSerializer",
    "ContractDetailSerializer",
    "ContractSerializer",
    "ErrorSerializer",
    "FieldErrorSerializer",
    "FunderRefSerializer",
    "FunderSerializer",
    "GoalCreateSerializer",
    "GoalProgressSerializer",
    "GoalSerializer",
    "MeSerializer",
    "MembershipSerializer",
    "MessageDetailSerializer",
    "MessageImportSerializer",
    "MessageReceivedSerializer",
    "MessageSerializer",
    "MunicipalitySerializer",
    "OrganisationSerializer",
    "ProductRefSerializer",
    "ProductSerializer",
    "ReportRequestSerializer",
    "ReportRunSerializer",
    "StreamRefSerializer",
    "TokenInfoSerializer",
    "TrajectorySerializer",
    "TrajectorySummarySerializer",
    "UserRefSerializer",
]
