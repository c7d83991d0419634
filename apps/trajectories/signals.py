"""What apps above this one hear from it (they may not be imported from here).

trajectory_closed(sender=Trajectory, trajectory, end, actor): sent inside the closing
transaction, after the care-team memberships have ended; a receiver that raises
ValidationError refuses the closing and nothing of it is saved. The agenda cancels the
appointments planned after `end`; funding control resolves the trajectory's open alerts.
"""

from django.dispatch import Signal

trajectory_closed = Signal()

# activity_change_asked(sender=Activity, activity, actor, confirmed): sent by the correction pages
# (apps.trajectories.correction_views) before an activity is corrected or cancelled through
# the web. A receiver returns a refusal (a message in the active language that says what to do
# instead) or None. The message exchange refuses an activity already declared to a municipality
# in a sent declaration (apps.exchange.declarations.guard).
activity_change_asked = Signal()


def activity_change_refusals(*, activity, actor, confirmed: bool = False) -> list[str]:
    """What the apps above refuse about changing this activity (empty: nothing).

    ``confirmed``: the person ticked that a declared (and accepted) claim may change."""
    return [
        str(answer)
        for _receiver, answer in activity_change_asked.send(
            sender=type(activity), activity=activity, actor=actor, confirmed=confirmed
        )
        if answer
    ]
