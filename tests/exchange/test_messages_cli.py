"""The commands messages_import and messages_fetch, and the task the beat runs."""

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command

from apps.exchange.models import Message
from apps.exchange.tasks import messages_fetch_task
from apps.exchange.transport import FolderTransport
from tests.accounts.factories import OrganisationFactory
from tests.exchange.factories_pages import message_bytes, register

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _run(*args):
    from io import StringIO

    out = StringIO()
    try:
        call_command(*args, stdout=out)
    except SystemExit as exit_:
        return exit_.code, out.getvalue()
    return 0, out.getvalue()


def test_import_stores_and_refuses_per_file(tmp_path, monkeypatch):
    register(monkeypatch)
    organisation = OrganisationFactory()
    good = tmp_path / "good.xml"
    good.write_bytes(message_bytes(receiver=organisation.agb_code, identification="CLI-1"))
    bad = tmp_path / "bad.xml"
    bad.write_bytes(b"no xml")
    code, out = _run(
        "messages_import", str(good), str(bad), str(tmp_path / "gone.xml"),
        "--organisation", organisation.agb_code,
    )  # fmt: skip
    assert code == 1
    assert "good.xml: stored: JW301 CLI-1" in out
    assert "bad.xml: refused:" in out
    assert "gone.xml: refused: no such file" in out
    assert "1 stored, 2 refused." in out
    assert Message.objects.get().transport == "command"


def test_import_exits_0_when_all_are_stored(tmp_path, monkeypatch):
    register(monkeypatch)
    organisation = OrganisationFactory()
    good = tmp_path / "good.xml"
    good.write_bytes(message_bytes(receiver=organisation.agb_code))
    code, out = _run("messages_import", str(good), "--organisation", organisation.agb_code)
    assert code == 0
    assert "1 stored, 0 refused." in out


def test_import_needs_a_known_organisation(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="99999999"):
        call_command("messages_import", str(tmp_path / "x.xml"), "--organisation", "99999999")


def test_fetch_receives_for_every_organisation_and_sets_aside_the_refused(monkeypatch):
    register(monkeypatch)
    one, two = OrganisationFactory(), OrganisationFactory()
    inbox = FolderTransport().inbox
    inbox.mkdir(parents=True)
    (inbox / "a.xml").write_bytes(message_bytes(receiver=one.agb_code, identification="F1"))
    (inbox / "b.xml").write_bytes(message_bytes(receiver=two.agb_code, identification="F2"))
    (inbox / "c.xml").write_bytes(message_bytes(receiver="11111111", identification="F3"))
    code, out = _run("messages_fetch")
    assert code == 1
    assert f"a.xml: stored for {one.agb_code}" in out
    assert f"b.xml: stored for {two.agb_code}" in out
    assert "c.xml: refused:" in out
    assert sorted(p.name for p in (inbox / "done").iterdir()) == ["a.xml", "b.xml"]
    assert [p.name for p in (inbox / "refused").iterdir()] == ["c.xml"]
    # Nothing is offered twice.
    assert _run("messages_fetch") == (0, "0 stored, 0 refused.\n")


def test_the_task_fetches_and_is_scheduled(monkeypatch):
    register(monkeypatch)
    organisation = OrganisationFactory()
    inbox = FolderTransport().inbox
    inbox.mkdir(parents=True)
    (inbox / "a.xml").write_bytes(message_bytes(receiver=organisation.agb_code))
    assert messages_fetch_task() == {"stored": 1, "refused": 0}
    entry = django_settings.CELERY_BEAT_SCHEDULE["messages-fetch"]
    assert entry["task"] == messages_fetch_task.name
