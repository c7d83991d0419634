"""The client's own statements on the client page (apps.trajectories.panels, slot SIDE).

A statement is about the whole record, treatment notes included, so it is shown to those who
read the whole record: the care team's caseworkers (and a caseworker under emergency access,
read only). Its showing is logged apart from the client page's entry, so that the privacy
officer can tell who read the client's statements.
"""

from apps.accounts.models import Role
from apps.audit.models import AccessBasis, AccessEvent
from apps.audit.services import access_log_record

from .selectors import statements_for_client


def statements_panel(request, client, access, trajectory) -> dict | None:
    if access.acting_role != Role.CASEWORKER or not access.sees_notes:
        return None
    may_add = access.basis == AccessBasis.CARE_TEAM
    statements = list(statements_for_client(client=client))
    if not statements and not may_add:
        return None
    if statements:
        access_log_record(
            user=request.user,
            event=AccessEvent.VIEW,
            basis=access.basis,
            client=client,
            detail="client statements (client page)",
            acting_role=access.acting_role,
            reason=access.break_glass.reason if access.break_glass else "",
        )
    return {"client": client, "statements": statements, "may_add": may_add}
