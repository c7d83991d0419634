"""The treatment plan in a real browser (Dutch): the client page warns that the plan is
missing, the caseworker writes and agrees it, adds a goal with a due date, evaluates it twice
and sees the goal's line of scores; at 1366 and at 390 px wide."""

import datetime
import re

from django.utils import timezone

from apps.plans.models import GoalScore

try:
    from playwright.sync_api import expect
except ImportError:  # the chromium fixture skips these tests (or fails them in CI)
    expect = None


def test_a_caseworker_makes_a_plan_evaluates_a_goal_twice_and_sees_the_line(
    browser_page, login, screenshot, client_record, serious_accessibility_violations
):
    page, record = browser_page, client_record
    today = timezone.localdate()
    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, record.caseworker)

    page.goto(f"/clients/{record.client.pk}/")
    panel = page.locator(".plan-panel")
    expect(panel).to_contain_text("Nog geen plan")
    expect(panel).to_contain_text("meer dan zes weken geleden")
    screenshot(page, "01-client-page-warns")
    panel.get_by_role("link", name="Plan schrijven").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Plan schrijven")
    page.get_by_label("Hulpvraag").fill("Zich weer veilig voelen en naar school blijven gaan.")
    page.get_by_label("Aanpak").fill("Traumabehandeling, een vertrouwenspersoon op school.")
    page.get_by_label("Afgesproken op").fill((today - datetime.timedelta(days=14)).isoformat())
    page.get_by_label("Hoe afgesproken").select_option("conversation")
    page.get_by_label("De jongere stemde in met het plan").check()
    page.get_by_label("Evalueren elke (weken)").fill("6")
    page.get_by_role("button", name="Opslaan").click()
    # Fifteen years old: the parent or guardian is asked for, nothing is saved yet.
    expect(page.locator(".errorlist")).to_contain_text("ouder of voogd")
    page.get_by_label("Ouder of voogd die instemde").fill("Moeder, mevrouw Verbrugghen")
    page.get_by_role("button", name="Opslaan").click()

    expect(page).to_have_url(re.compile(rf"/plans/client/{record.client.pk}/$"))
    expect(page.locator("main")).to_contain_text("Moeder, mevrouw Verbrugghen")
    page.get_by_role("link", name="Doel toevoegen").click()
    page.get_by_label("Domein").select_option("work")
    page.get_by_label("Doel", exact=True).fill("Een stageplek vinden en volhouden")
    page.get_by_label("Streefdatum").fill((today + datetime.timedelta(days=120)).isoformat())
    page.get_by_role("button", name="Toevoegen").click()
    expect(page.locator("main")).to_contain_text("Een stageplek vinden en volhouden")

    for days_ago, score in ((10, 30), (1, 65)):
        page.get_by_role("link", name="Evalueren", exact=True).click()
        page.get_by_label("Datum").fill((today - datetime.timedelta(days=days_ago)).isoformat())
        page.get_by_label("Samenvatting").fill(f"Evaluatie met de jongere, score {score}.")
        stage = page.locator("fieldset", has_text="Een stageplek vinden")
        stage.get_by_label("Score (%)").fill(str(score))
        page.get_by_role("button", name="Opslaan").click()
        expect(page).to_have_url(re.compile(rf"/plans/client/{record.client.pk}/$"))

    goal = page.locator(".goal-line", has_text="Een stageplek vinden")
    expect(goal.locator("svg polyline")).to_have_count(1)
    expect(goal.locator("svg title")).to_have_text("2 scores in de tijd, de laatste 65%")
    expect(goal.locator("table tbody tr")).to_have_count(2)
    assert GoalScore.objects.filter(goal__description__startswith="Een stageplek").count() == 2
    assert serious_accessibility_violations(page) == []
    screenshot(page, "02-plan-1366")

    page.set_viewport_size({"width": 390, "height": 844})
    # Nothing of the plan is wider than the phone (the site header is the pages' own).
    wide = page.evaluate(
        """() => [...document.querySelectorAll('main *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
            .map(e => e.tagName + '.' + e.className)"""
    )
    assert wide == []
    screenshot(page, "03-plan-390")

    # The client page: no warning any more, the goal's progress is the latest score.
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"/clients/{record.client.pk}/")
    expect(page.locator(".plan-panel")).not_to_contain_text("Nog geen plan")
    expect(page.locator("main")).to_contain_text("65%")
    screenshot(page, "04-client-page-after")
