"""English as English writes it (21 Jul 2010, 21/07/2010, never the American 07/21/2010) and
counts in the singular or plural of both languages, never built by string formatting."""

from datetime import date, datetime

import pytest
from django.template import Context, Template
from django.utils import translation
from django.utils.formats import date_format, get_format, localize_input

from apps.funding.models import Unit, volume_text
from apps.funding.rules import unit_count_name

DAY = date(2010, 7, 21)


@pytest.mark.parametrize(
    ("language", "short", "long"),
    [("en", "21/07/2010", "21 Jul 2010"), ("nl", "21-07-2010", "21 juli 2010")],
)
def test_dates_are_written_day_first_in_both_languages(language, short, long):
    with translation.override(language):
        assert date_format(DAY, "SHORT_DATE_FORMAT") == short
        assert date_format(DAY) == long
        rendered = Template('{{ day|date:"SHORT_DATE_FORMAT" }}').render(Context({"day": DAY}))
        assert rendered == short


def test_english_times_use_the_24_hour_clock_and_weeks_start_on_monday():
    with translation.override("en"):
        moment = datetime(2010, 7, 21, 14, 30)  # noqa: DTZ001 - a naive time to format
        assert date_format(moment, "SHORT_DATETIME_FORMAT") == "21/07/2010 14:30"
        assert date_format(moment, "TIME_FORMAT") == "14:30"
        assert get_format("FIRST_DAY_OF_WEEK") == 1


def test_english_date_input_reads_day_first_and_iso():
    from apps.trajectories.forms import GoalForm

    with translation.override("en"):
        assert localize_input(DAY) == "21/07/2010"
        for typed in ("21/07/2010", "2010-07-21"):
            form = GoalForm(
                {"domain": "care", "description": "x", "target_date": typed}, lanes={"care"}
            )
            assert form.is_valid(), form.errors
            assert form.cleaned_data["target_date"] == DAY


@pytest.mark.parametrize(
    ("language", "unit", "volume", "text"),
    [
        ("en", Unit.MINUTE, 1, "1 minute"),
        ("en", Unit.MINUTE, 3, "3 minutes"),
        ("nl", Unit.MINUTE, 1, "1 minuut"),
        ("nl", Unit.MINUTE, 3, "3 minuten"),
        ("en", Unit.HOUR, 1, "1 hour"),
        ("nl", Unit.HOUR, 10, "10 uur"),
        ("nl", Unit.DAY_24H, 1, "1 etmaal"),
        ("nl", Unit.DAY_24H, 7, "7 etmalen"),
        ("en", Unit.DAY_24H, 7, "7 days of 24 hours (etmalen)"),
        ("en", Unit.DAY_PART, 1, "1 day part"),
        ("nl", Unit.DAY_PART, 2, "2 dagdelen"),
        ("en", Unit.ITEM_OUTPUT, 1, "1 item (output)"),
        ("nl", Unit.ITEM_EFFORT, 4, "4 stuks (inspanning)"),
        ("en", Unit.EURO, 1500, "1,500 euros"),
        ("nl", Unit.EURO, 1500, "1.500 euro"),
    ],
)
def test_a_volume_is_written_in_the_singular_or_plural_of_its_language(
    language, unit, volume, text
):
    with translation.override(language):
        assert volume_text(unit, volume) == text


@pytest.mark.parametrize(
    ("language", "unit", "count", "name"),
    [
        ("en", Unit.HOUR, 1, "minute"),  # hours are counted in minutes
        ("en", Unit.MINUTE, 13, "minutes"),
        ("nl", Unit.MINUTE, 1, "minuut"),
        ("nl", Unit.DAY_24H, 7, "nachten"),
        ("en", Unit.DAY_24H, 1, "night"),
        ("nl", Unit.DAY_PART, 1, "dagdeel"),
        ("en", Unit.ITEM_OUTPUT, 2, "items"),
    ],
)
def test_the_unit_beside_a_count_follows_the_count(language, unit, count, name):
    with translation.override(language):
        assert unit_count_name(unit, count) == name


@pytest.mark.parametrize(
    ("language", "hours", "text"),
    [("en", 1, "1 hour a week"), ("en", 32, "32 hours a week"), ("nl", 1, "1 uur per week")],
)
def test_hours_a_week_of_a_job(language, hours, text):
    template = Template(
        "{% load i18n %}{% blocktranslate count hours=hours %}{{ hours }} hour a week"
        "{% plural %}{{ hours }} hours a week{% endblocktranslate %}"
    )
    with translation.override(language):
        assert template.render(Context({"hours": hours})) == text


def test_the_employment_template_says_hours_in_the_singular_and_plural():
    from django.template.loader import render_to_string

    class Employment:
        employer = "Bakkerij"
        hours_per_week = 1

    with translation.override("en"):
        assert "1 hour a week" in render_to_string(
            "clients/_employment.html", {"employment": Employment()}
        )
    Employment.hours_per_week = 12
    with translation.override("nl"):
        assert "12 uur per week" in render_to_string(
            "clients/_employment.html", {"employment": Employment()}
        )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "days", "text"),
    [
        ("en", 1, "A token is valid for at most 1 day."),
        ("en", 30, "A token is valid for at most 30 days."),
        ("nl", 1, "Een token is hooguit 1 dag geldig."),
        ("nl", 30, "Een token is hooguit 30 dagen geldig."),
    ],
)
def test_the_token_limit_counts_its_days_in_the_right_number(settings, language, days, text):
    from datetime import timedelta

    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from apps.accounts.services import api_token_create
    from tests.accounts.factories import UserFactory

    settings.API_TOKEN_MAX_DAYS = days
    user = UserFactory()
    with translation.override(language), pytest.raises(ValidationError) as refused:
        api_token_create(
            user=user,
            name="script",
            expires_on=timezone.localdate() + timedelta(days=days + 1),
            actor=user,
        )
    assert refused.value.message_dict["expires_on"] == [text]


@pytest.mark.parametrize(
    ("language", "paid", "text"),
    [
        (
            "en",
            1,
            "the contract of allocation TW-1 pays 1 leave night from 01/03/2025 to 31/03/2025, "
            "and it is used",
        ),
        (
            "nl",
            1,
            "het contract van toewijzing TW-1 betaalt 1 verlofnacht van 01-03-2025 tot en met "
            "31-03-2025, en die is gebruikt",
        ),
        (
            "nl",
            3,
            "het contract van toewijzing TW-1 betaalt 3 verlofnachten van 01-03-2025 tot en met "
            "31-03-2025, en die zijn gebruikt",
        ),
    ],
)
def test_leave_nights_are_counted_in_the_right_number_and_dates_written_per_language(
    language, paid, text
):
    from apps.funding.reasons import refusal_text

    refusal = {
        "code": "leave_limit_reached",
        "number": "TW-1",
        "paid": paid,
        "first": "2025-03-01",
        "last": "2025-03-31",
    }
    with translation.override(language):
        assert refusal_text(refusal) == text
