"""What the agenda does when it hears from the trajectories (apps.trajectories.signals)."""

from .services import appointments_cancel_after_closing


def appointments_cancel_on_closing(sender, *, trajectory, end, actor, **kwargs) -> None:
    """A trajectory closed: its planned appointments after the end date are cancelled."""
    appointments_cancel_after_closing(trajectory=trajectory, end=end, actor=actor)
