"""What the lifecycle hears from apps.trajectories."""

from django.dispatch import receiver

from apps.trajectories.signals import trajectory_closed

from .services import trajectory_phase_closed_record


@receiver(trajectory_closed, dispatch_uid="intake.record_the_closing_step")
def closing_step_record(sender, *, trajectory, end, actor, **kwargs) -> None:
    """Every closing is a step of the lifecycle with its date and who, and closes the client,
    whoever closed the trajectory (the lifecycle page, the API, a service)."""
    trajectory_phase_closed_record(trajectory=trajectory, end=end, actor=actor)
