from celery import shared_task

from .alerts import funding_alerts_refresh


@shared_task(name="funding.funding_alerts_task")
def funding_alerts_task() -> dict:
    """Nightly: raise new funding alerts and resolve those whose cause has gone."""
    run = funding_alerts_refresh()
    return {"raised": len(run.raised), "resolved": run.resolved, "open": run.open}
