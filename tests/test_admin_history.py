"""The admin's history pages reach only what its change pages reach (security probe, issue 14).

django-simple-history's history list, history detail and revert read the history table past
``get_queryset``; apps.core.admin.ScopedHistoryAdmin closes that. The tests below walk over
every ModelAdmin registered on the site, so that an admin added later cannot forget it: a
registered model missing from the table of objects fails the test.
"""

import datetime

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse

from apps.accounts.models import Organisation, Role, User
from apps.core.admin import ScopedHistoryAdmin
from tests.accounts.factories import OrganisationFactory, UserFactory


def _foreign_user(organisation):
    return UserFactory(organisation=organisation, username=f"vreemde-{organisation.agb_code}")


def _foreign_contract(organisation):
    from tests.funding.factories import ContractFactory

    return ContractFactory(organisation=organisation, reference=f"CONTRACT-{organisation.agb_code}")


def _foreign_product(organisation):
    from tests.funding.factories import ProductFactory

    return ProductFactory(contract__organisation=organisation)


def _foreign_pool_funder(organisation):
    from tests.funding.builders import IntegralPilotFactory
    from tests.pools.factories import PoolFunderFactory

    return PoolFunderFactory(pool=IntegralPilotFactory(contract__organisation=organisation))


def _foreign_allocation(organisation):
    from tests.clients.factories import ClientFactory
    from tests.funding.factories import AllocationFactory

    return AllocationFactory(client=ClientFactory(organisation=organisation))


def _foreign_client(organisation):
    from tests.clients.factories import ClientFactory

    return ClientFactory(organisation=organisation)


def _foreign_trajectory(organisation):
    from tests.trajectories.factories import TrajectoryFactory

    return TrajectoryFactory(client=_foreign_client(organisation))


def _foreign_membership(organisation):
    from apps.trajectories.models import CareTeamMembership

    return CareTeamMembership.objects.get(trajectory=_foreign_trajectory(organisation))


def _foreign_goal(organisation):
    from tests.trajectories.factories import GoalFactory

    return GoalFactory(trajectory=_foreign_trajectory(organisation))


def _foreign_activity(organisation):
    from apps.core.domains import ActivityKind, Domain
    from apps.trajectories.services import activity_log

    trajectory = _foreign_trajectory(organisation)
    return activity_log(
        trajectory=trajectory,
        domain=Domain.CARE,
        kind=ActivityKind.TREATMENT_SESSION,
        date=datetime.date(2025, 3, 3),
        duration_minutes=30,
        performed_by=trajectory.lead_caseworker,
        actor=trajectory.lead_caseworker,
    )


def _shared_funder(organisation):
    from tests.funding.factories import FunderFactory

    return FunderFactory()


def _shared_stream(organisation):
    from tests.funding.factories import stream

    jeugdwet = stream("jeugdwet")
    jeugdwet.save()  # the reference data came in by migration, without a history row
    return jeugdwet


def _shared_municipality(organisation):
    from tests.clients.factories import municipality

    return municipality()


def _axes_row(model):
    def build(organisation):
        fields = {
            "user_agent": "probe",
            "ip_address": "203.0.113.9",
            "username": f"vreemde-{organisation.agb_code}",
            "http_accept": "*/*",
            "path_info": "/login/",
        }
        if model.__name__ == "AccessAttempt":
            fields |= {"get_data": "", "post_data": "", "failures_since_start": 1}
        return model.objects.create(**fields)

    return build


def _foreign_totp_device(organisation):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.create(user=_foreign_user(organisation), name="authenticator")


def _foreign_practitioner_profile(organisation):
    from apps.zvw.services import practitioner_profile_set

    user = _foreign_user(organisation)
    return practitioner_profile_set(user=user, profession="gz_psycholoog", actor=user)


def _foreign_insurer_contract(organisation):
    from apps.zvw.services import insurer_contract_create

    return insurer_contract_create(
        organisation=organisation,
        uzovi="3311",
        year=2025,
        reference="ZVW-VREEMD",
        actor=_foreign_user(organisation),
    )


def _shared_max_tariff(organisation):
    from apps.zvw.services import max_tariff_set

    return max_tariff_set(
        year=2025,
        prestatie="consult:behandeling:gz_psycholoog:45",
        code="DEMO-CB45GZ",
        cents=19_800,
        actor=_foreign_user(organisation),
    )


def _objects():
    """label -> (a builder of an object the administrator of another organisation may not
    reach, or of shared reference data; whether it belongs to an organisation)."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    return {
        "accounts.Organisation": (lambda organisation: organisation, True),
        "accounts.User": (_foreign_user, True),
        "otp_totp.TOTPDevice": (_foreign_totp_device, True),
        "funding.Contract": (_foreign_contract, True),
        "funding.Product": (_foreign_product, True),
        "funding.Allocation": (_foreign_allocation, True),
        "pools.PoolFunder": (_foreign_pool_funder, True),
        "clients.Client": (_foreign_client, True),
        "trajectories.Trajectory": (_foreign_trajectory, True),
        "trajectories.CareTeamMembership": (_foreign_membership, True),
        "trajectories.Goal": (_foreign_goal, True),
        "trajectories.Activity": (_foreign_activity, True),
        "zvw.PractitionerProfile": (_foreign_practitioner_profile, True),
        "zvw.InsurerContract": (_foreign_insurer_contract, True),
        # Shared by every organisation of the installation (reference data, login records).
        "funding.Funder": (_shared_funder, False),
        "funding.FundingStream": (_shared_stream, False),
        "clients.Municipality": (_shared_municipality, False),
        "zvw.MaxTariff": (_shared_max_tariff, False),
        "auth.Group": (lambda organisation: Group.objects.get(name="teacher"), False),
        "axes.AccessAttempt": (_axes_row(AccessAttempt), False),
        "axes.AccessLog": (_axes_row(AccessLog), False),
        "axes.AccessFailureLog": (_axes_row(AccessFailureLog), False),
    }


REGISTERED = sorted(model._meta.label for model in admin.site._registry)


def _has_history(model) -> bool:
    return hasattr(model._meta, "simple_history_manager_attribute")


def _history_urls(obj) -> dict[str, str]:
    """The admin's history list of ``obj``, and the detail (revert) page of its last version."""
    opts = obj._meta
    info = f"admin:{opts.app_label}_{opts.model_name}"
    urls = {"history": reverse(f"{info}_history", args=[obj.pk])}
    if _has_history(type(obj)):
        version = obj.history.order_by("-history_id").first()
        assert version is not None, f"{opts.label} has no history row to test with"
        urls["history_detail"] = reverse(
            f"{info}_simple_history", args=[obj.pk, version.history_id]
        )
    return urls


def test_every_registered_admin_is_in_the_table():
    assert set(REGISTERED) == set(_objects())


def test_every_admin_with_history_scopes_its_history_pages():
    for model, model_admin in admin.site._registry.items():
        if _has_history(model):
            assert isinstance(model_admin, ScopedHistoryAdmin), model._meta.label


@pytest.fixture
def administrator(db):
    return UserFactory(roles=[Role.ADMINISTRATOR], is_staff=True, username="beheerder")


@pytest.mark.parametrize("label", REGISTERED)
def test_history_pages_of_an_object_answer_as_its_change_page(client, administrator, label):
    """History list, history detail and revert of another organisation's object (or of shared
    data) are refused exactly where its change page is, and answer the same way."""
    builder, belongs_to_organisation = _objects()[label]
    obj = builder(OrganisationFactory(name="Andere zorgaanbieder"))
    opts = obj._meta
    client.force_login(administrator)
    change = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))
    if belongs_to_organisation:
        # 302: "does not exist" (outside get_queryset); 403: no permission on the model at all.
        assert change.status_code in (302, 403), f"{label}: the change page shows it"
    for kind, url in _history_urls(obj).items():
        response = client.get(url)
        assert response.status_code == change.status_code, f"{label} {kind}"
        if change.status_code == 302:
            assert response["Location"] == change["Location"], f"{label} {kind}"
    if not _has_history(type(obj)):
        return
    model_admin = admin.site._registry[type(obj)]
    request = type("Request", (), {"user": administrator})()
    if change.status_code == 200 and model_admin.has_change_permission(request, obj):
        return  # a revert of a reachable, changeable object: tested with real data below
    versions = obj.history.count()
    revert = client.post(_history_urls(obj)["history_detail"], {})
    assert revert.status_code in (302, 403), f"{label} revert: {revert.status_code}"
    if change.status_code == 302:
        assert revert["Location"] == change["Location"]
    assert obj.history.count() == versions, f"{label}: the revert saved something"


def _user_form(user: User, organisation: Organisation | None, **changes) -> dict:
    return {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "organisation": organisation.pk if organisation else "",
        "date_joined_0": "2025-01-01",
        "date_joined_1": "10:00:00",
        **changes,
    }


@pytest.mark.django_db
def test_another_organisations_user_history_is_neither_shown_nor_reverted(client, administrator):
    stranger = UserFactory(username="vreemde-z", first_name="Zoë", last_name="Zwijgers")
    version = stranger.history.latest()
    client.force_login(administrator)
    history = client.get(reverse("admin:accounts_user_history", args=[stranger.pk]))
    detail_url = reverse("admin:accounts_user_simple_history", args=[stranger.pk, version.pk])
    detail = client.get(detail_url)
    revert = client.post(detail_url, _user_form(stranger, None, first_name="Overgenomen"))
    for response in (history, detail, revert):
        assert response.status_code == 302
        assert response["Location"] == reverse("admin:index")
        assert "Zwijgers" not in response.text
    stranger.refresh_from_db()
    assert stranger.first_name == "Zoë"
    assert stranger.organisation is not None
    followed = client.get(reverse("admin:index"))
    assert "bestaat niet" in followed.text or "doesn" in followed.text


@pytest.mark.django_db
def test_an_administrator_reads_and_reverts_the_history_of_their_own_organisations_user(
    client, administrator
):
    colleague = UserFactory(organisation=administrator.organisation, first_name="Anna")
    old = colleague.history.latest()
    colleague.first_name = "Anne"
    colleague.save()
    client.force_login(administrator)
    history = client.get(reverse("admin:accounts_user_history", args=[colleague.pk]))
    assert history.status_code == 200
    detail_url = reverse("admin:accounts_user_simple_history", args=[colleague.pk, old.pk])
    assert client.get(detail_url).status_code == 200
    revert = client.post(
        detail_url, _user_form(colleague, administrator.organisation, **{"first_name": "Anna"})
    )
    assert revert.status_code == 302, revert.text[:2000]
    colleague.refresh_from_db()
    assert colleague.first_name == "Anna"


@pytest.mark.django_db
def test_a_view_only_admin_cannot_revert_through_the_history_form(client, administrator):
    """Funding streams are view-only for administrators: the history form must not save."""
    jeugdwet = _shared_stream(None)
    version = jeugdwet.history.order_by("-history_id").first()
    client.force_login(administrator)
    url = reverse("admin:funding_fundingstream_simple_history", args=[jeugdwet.pk, version.pk])
    assert client.get(url).status_code == 200  # viewing is allowed
    data = {
        field.name: getattr(jeugdwet, field.attname)
        for field in jeugdwet._meta.concrete_fields
        if field.editable and not field.primary_key
    }
    data = {key: "" if value is None else value for key, value in data.items()}
    response = client.post(url, {**data, "name": "Overgenomen"})
    assert response.status_code == 403
    jeugdwet.refresh_from_db()
    assert jeugdwet.name != "Overgenomen"
