"""What funding control does when it hears of a change below it (apps.trajectories.signals)."""

from django.dispatch import receiver
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from apps.audit.models import AccessBasis, AccessEvent
from apps.audit.services import access_log_write_many
from apps.funding.models import FundingAlert
from apps.trajectories.signals import trajectory_closed


@receiver(trajectory_closed, dispatch_uid="control.resolve_alerts_of_closed_trajectory")
def funding_alerts_resolve_on_close(sender, *, trajectory, end, actor, **kwargs) -> None:
    """A closed trajectory's open funding alerts are resolved: nobody is left on the care team
    to act on them (the client has one trajectory open at a time, the alerts are the client's)."""
    alerts = list(
        FundingAlert.objects.open().filter(client_id=trajectory.client_id).select_for_update()
    )
    if not alerts:
        return
    now = timezone.now()
    for alert in alerts:
        alert.resolved_at = now
        alert._history_user = actor
    bulk_update_with_history(alerts, FundingAlert, ["resolved_at"], default_user=actor)
    access_log_write_many(
        actor=actor,
        event=AccessEvent.CHANGE,
        changed=[(trajectory.client, alert) for alert in alerts],
        basis=AccessBasis.CARE_TEAM,
    )
