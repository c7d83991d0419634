from celery import shared_task

from .services import care_team_access_expire


@shared_task(name="trajectories.care_team_access_expire_task")
def care_team_access_expire_task() -> int:
    """Nightly: revoke access of care-team memberships whose end date has come."""
    return care_team_access_expire()
