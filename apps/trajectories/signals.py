"""What apps above this one hear from it (they may not be imported from here).

trajectory_closed(sender=Trajectory, trajectory, end, actor): sent inside the closing
transaction, after the care-team memberships have ended; a receiver that raises
ValidationError refuses the closing and nothing of it is saved. The agenda cancels the
appointments planned after `end`; funding control resolves the trajectory's open alerts.
"""

from django.dispatch import Signal

trajectory_closed = Signal()
