"""The destruction engine: a client's record removed from every table, its history and its files.

It knows no app but the few whose rows the law keeps. It walks the models Django knows
(``apps.get_models``, the auto-created many-to-many tables included) along their foreign keys,
starting at the client: every row that points to the client, and every row that points to such
a row, and so on, belongs to the record. A model added later by another app is found the same
way, without knowing about this module.

What stays, with the least data (docs/privacy.md, "Destruction"):

- the access log (NEN 7513, append-only even to the application's database role): untouched;
  it holds no content of the record, only who looked at which row when;
- declared claim lines of the last seven years (the fiscal duty, AWR art. 52 lid 4) and the rows
  they need (their allocation), without notes or free text; their history goes;
- the client row itself, emptied: no name, BSN, date of birth, address or number, because the
  access log points to it; and the ``Tombstone`` and the request (apps.retention).

Files: the files of the removed rows are deleted once the transaction has committed. A document
that names several clients (``client_ids``) loses this client: a message file (apps.exchange,
kept byte for byte as evidence) gets the client's BSN and name blanked out; any other such file
(a funder's report) is removed and must be requested again.

Everything runs in the caller's transaction. When a row would be left pointing to a removed one
(something the walk could not resolve), the whole destruction is refused and nothing changes.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.apps import apps
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from apps.clients.models import Client, ClientStatus
from apps.core.errors import ServiceError
from apps.exchange.xml import MessageUnreadable, parse_safely

logger = logging.getLogger(__name__)

FISCAL_YEARS = 7  # AWR art. 52 lid 4

# Never walked into, never changed: the access log and what records the destruction itself.
UNTOUCHED = frozenset(
    {"audit.accesslogentry", "retention.tombstone", "retention.destructionrequest"}
)

# Rows the law keeps, and the free text they lose.
SCRUBBED_WHEN_KEPT: dict[str, dict[str, object]] = {
    "exchange.declarationline": {"resolution_reason": ""},
}

# Documents naming several clients whose file is redacted rather than removed.
REDACTED_DOCUMENTS = frozenset({"exchange.message"})

# The emptied client row (its primary key stays for the access log).
PLACEHOLDER_BIRTH_DATE = date(1900, 1, 1)


class DestructionBlocked(ServiceError):
    default_message = _("The record cannot be destroyed.")
    default_code = "destruction_blocked"


@dataclass
class Outcome:
    removed: dict[str, int] = field(default_factory=dict)
    kept: dict[str, int] = field(default_factory=dict)
    files_removed: int = 0
    files_redacted: int = 0


def _label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def _is_historical(model: type[models.Model]) -> bool:
    return hasattr(model, "instance_type")


def _history_model(model: type[models.Model]) -> type[models.Model] | None:
    attribute = getattr(model._meta, "simple_history_manager_attribute", None)
    return getattr(model, attribute).model if attribute else None


def _live_models() -> list[type[models.Model]]:
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if not _is_historical(model) and not model._meta.proxy
    ]


def _foreign_keys(model: type[models.Model]):
    return [
        f
        for f in model._meta.concrete_fields
        if f.is_relation and (f.many_to_one or f.one_to_one) and f.related_model is not None
    ]


def _collect(client: Client) -> dict[type[models.Model], set]:
    """Every row of the record: what points to the client, and what points to those."""
    collected: dict[type[models.Model], set] = defaultdict(set)
    collected[Client] = {client.pk}
    frontier: list[tuple[type[models.Model], set]] = [(Client, {client.pk})]
    live = [m for m in _live_models() if _label(m) not in UNTOUCHED]
    for model, pks in _rows_with_the_bsn(client, live).items():
        collected[model] |= pks
        frontier.append((model, pks))
    while frontier:
        target, pks = frontier.pop()
        for model in live:
            if model is Client:
                continue
            for fk in _foreign_keys(model):
                if fk.related_model._meta.concrete_model is not target._meta.concrete_model:
                    continue
                # By the related rows rather than their ids: a key to another field than the
                # primary key (``to_field``) is followed as well.
                targets = target._base_manager.filter(pk__in=pks)
                found = (
                    set(
                        model._base_manager.filter(**{f"{fk.name}__in": targets}).values_list(
                            "pk", flat=True
                        )
                    )
                    - collected[model]
                )
                if found:
                    collected[model] |= found
                    frontier.append((model, found))
    return collected


def _rows_with_the_bsn(client: Client, live: list[type[models.Model]]) -> dict:
    """Rows that hold the client's BSN without a key to the client (an allocation received for
    a BSN before the client was registered), in the client's organisation only: the same young
    person at another provider is not this record."""
    found: dict[type[models.Model], set] = {}
    if not client.bsn:
        return found
    for model in live:
        names = {f.name for f in model._meta.concrete_fields}
        if model is Client or "bsn" not in names:
            continue
        if "organisation" in names:
            scope = {"organisation_id": client.organisation_id}
        elif "message" in names:
            scope = {"message__organisation_id": client.organisation_id}
        else:
            logger.warning("Destruction: %s holds a BSN without an organisation", _label(model))
            continue
        pks = set(model._base_manager.filter(bsn=client.bsn, **scope).values_list("pk", flat=True))
        if pks:
            found[model] = pks
    return found


def _fiscal_lines(pks: set) -> set:
    """Declared claim lines of the last seven years (AWR art. 52 lid 4)."""
    line_model = apps.get_model("exchange", "DeclarationLine")
    run_draft = apps.get_model("exchange", "DeclarationRun")._meta.get_field("status").default
    since = date(timezone.localdate().year - FISCAL_YEARS, 1, 1)
    return set(
        line_model._base_manager.filter(pk__in=pks, period_end__gte=since)
        .exclude(run__status=run_draft)
        .values_list("pk", flat=True)
    )


KEPT_BY_LAW = {"exchange.declarationline": _fiscal_lines}


def _split(collected: dict[type[models.Model], set]) -> dict[type[models.Model], set]:
    """The rows kept by law, and what they point to (else they would point to nothing)."""
    kept: dict[type[models.Model], set] = defaultdict(set)
    kept[Client] = set(collected[Client])
    for model, pks in collected.items():
        chooser = KEPT_BY_LAW.get(_label(model))
        if chooser and pks:
            kept[model] |= chooser(pks)
    frontier = [(model, set(pks)) for model, pks in kept.items() if model is not Client]
    while frontier:
        model, pks = frontier.pop()
        for fk in _foreign_keys(model):
            target = fk.related_model._meta.concrete_model
            if target not in collected:
                continue
            pointed = set(
                model._base_manager.filter(pk__in=pks)
                .exclude(**{f"{fk.attname}__isnull": True})
                .values_list(fk.attname, flat=True)
            )
            new = (pointed & collected[target]) - kept[target]
            if new:
                kept[target] |= new
                frontier.append((target, new))
    return kept


def _files_of(model: type[models.Model], pks: set) -> list[tuple]:
    file_fields = [f for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
    names: list[tuple] = []
    for file_field in file_fields:
        names += [
            (file_field.storage, name)
            for name in model._base_manager.filter(pk__in=pks).values_list(
                file_field.attname, flat=True
            )
            if name
        ]
    return names


def _delete_rows(model: type[models.Model], pks: set) -> int:
    """Delete without Django's collector: the walk already found what depends on these rows, and
    the foreign keys are checked at the end (they are deferred until then)."""
    queryset = model._base_manager.filter(pk__in=pks)
    return queryset._raw_delete(queryset.db)


def _history_condition(model: type[models.Model], ids_by_model: dict) -> models.Q:
    condition = models.Q(pk__in=[])
    own = ids_by_model.get(model.instance_type._meta.concrete_model)
    if own:
        condition |= models.Q(**{f"{model.instance_type._meta.pk.attname}__in": own})
    for fk in _foreign_keys(model):
        if fk.name == "history_user":
            continue
        pks = ids_by_model.get(fk.related_model._meta.concrete_model)
        if pks:
            condition |= models.Q(**{f"{fk.attname}__in": pks})
    return condition


def _history_models() -> list[type[models.Model]]:
    return [
        model
        for model in apps.get_models()
        if _is_historical(model) and _label(model.instance_type) not in UNTOUCHED
    ]


def _with_deleted_earlier(collected: dict[type[models.Model], set]) -> dict:
    """The ids of the record's rows, with those of rows deleted earlier that only their history
    still names (a goal deleted last year, the evaluations of a plan deleted before it): found
    from the history rows that point to the record, and again from those, until none is new."""
    ids_by_model: dict = defaultdict(set)
    for model, pks in collected.items():
        ids_by_model[model._meta.concrete_model] |= pks
    history_models = _history_models()
    grew = True
    while grew:
        grew = False
        for model in history_models:
            instance = model.instance_type._meta.concrete_model
            found = set(
                model._base_manager.filter(_history_condition(model, ids_by_model)).values_list(
                    model.instance_type._meta.pk.attname, flat=True
                )
            )
            if found - ids_by_model[instance]:
                ids_by_model[instance] |= found
                grew = True
    return ids_by_model


def _delete_history(ids_by_model: dict, outcome: Outcome) -> None:
    """The history rows of every removed or kept row, of every row deleted earlier that belonged
    to the record (``_with_deleted_earlier``), and every history row that points to one."""
    for model in _history_models():
        queryset = model._base_manager.filter(_history_condition(model, ids_by_model))
        count = queryset._raw_delete(queryset.db)
        if count:
            outcome.removed[_label(model)] = outcome.removed.get(_label(model), 0) + count


def _delete_admin_log(ids_by_model: dict, outcome: Outcome) -> None:
    """Django's admin log names a changed row by its text (``object_repr``) and points to it by
    content type and id, not by a foreign key: its entries for the record's rows go too, those
    deleted earlier included."""
    if not apps.is_installed("django.contrib.admin"):
        return
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    condition = models.Q(pk__in=[])
    for model, pks in ids_by_model.items():
        if pks:
            content_type = ContentType.objects.get_for_model(model)
            condition |= models.Q(content_type=content_type, object_id__in=[str(pk) for pk in pks])
    queryset = LogEntry.objects.filter(condition)
    count = queryset._raw_delete(queryset.db)
    if count:
        outcome.removed["admin.logentry"] = count


# In a message, the elements under the client's own element (the one holding its Bsn) that
# identify the young person: their text is blanked (the Bsn zeroed, the date of birth set to
# the placeholder), while products, periods and amounts stay as evidence of the exchange.
IDENTIFYING_ELEMENTS = frozenset(
    {
        "Achternaam",
        "Voorvoegsel",
        "Voornamen",
        "Voorletters",
        "Straatnaam",
        "Huisnummer",
        "Huisletter",
        "HuisnummerToevoeging",
        "Postcode",
        "Plaatsnaam",
        "Locatieomschrijving",
        "Telefoonnummer",
        "Emailadres",
    }
)


def _names_of(client: Client) -> list[str]:
    return [n for n in (client.full_name, client.family_name, client.given_name) if len(n) > 2]


def _redacted(content: bytes, client: Client) -> bytes:
    """The message without the client: under the element holding the client's Bsn, the BSN
    zeroed, the date of birth replaced, names and address blanked and the name struck from
    free text; then, anywhere in the file, the BSN and the name as an element's whole text."""
    try:
        root = parse_safely(content)
    except MessageUnreadable:
        root = None
    if root is not None and client.bsn:
        names = _names_of(client)
        for bsn in root.iter("{*}Bsn"):
            if (bsn.text or "").strip() != client.bsn or bsn.getparent() is None:
                continue
            for element in bsn.getparent().iter():
                if not isinstance(element.tag, str):
                    continue  # a comment or a processing instruction
                local = etree.QName(element).localname
                parent = element.getparent()
                if local == "Bsn":
                    element.text = "000000000"
                elif (
                    local == "Datum"
                    and parent is not None
                    and (etree.QName(parent).localname == "Geboortedatum")
                ):
                    element.text = PLACEHOLDER_BIRTH_DATE.isoformat()
                elif local in IDENTIFYING_ELEMENTS:
                    element.text = ""
                elif element.text and names:
                    for name in names:
                        element.text = re.sub(
                            rf"\b{re.escape(name)}\b", "…", element.text, flags=re.IGNORECASE
                        )
        content = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    if client.bsn:
        content = content.replace(client.bsn.encode(), b"000000000")
    for name in _names_of(client):
        content = re.sub(rb">\s*" + re.escape(name.encode()) + rb"\s*<", b"><", content)
    return content


def _documents_naming(client: Client, outcome: Outcome, after_commit: list) -> None:
    """Files of rows that name several clients (a ``client_ids`` list): redact or remove."""
    for model in _live_models():
        names = {f.name for f in model._meta.concrete_fields}
        file_fields = [f for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
        if "client_ids" not in names or not file_fields:
            continue
        rows = model._base_manager.all()
        if "organisation" in names:
            rows = rows.filter(organisation_id=client.organisation_id)
        for row in rows.iterator():
            named = client.pk in (row.client_ids or [])
            if not named and (row.client_ids or not client.bsn):
                continue  # another client's document; a document naming nobody is read below
            redacts = _label(model) in REDACTED_DOCUMENTS
            if not named and not redacts:
                continue
            changes: dict[str, object] = {
                "client_ids": [pk for pk in (row.client_ids or []) if pk != client.pk]
            }
            for file_field in file_fields:
                stored = getattr(row, file_field.attname).name
                if not stored:
                    continue
                storage = file_field.storage
                if redacts:
                    try:
                        with storage.open(stored, "rb") as handle:
                            content = handle.read()
                    except FileNotFoundError:
                        continue
                    if not named and client.bsn.encode() not in content:
                        continue  # a message naming no client (refused): not about this one
                    redacted = _redacted(content, client)
                    new_name = storage.save(stored, ContentFile(redacted))
                    changes[file_field.attname] = new_name
                    if "sha256" in names:
                        changes["sha256"] = hashlib.sha256(redacted).hexdigest()
                    if "size" in names:
                        changes["size"] = len(redacted)
                    after_commit.append((storage, stored))
                    outcome.files_redacted += 1
                else:
                    changes[file_field.attname] = ""
                    if "size" in names:
                        changes["size"] = None
                    if "sha256" in names:
                        changes["sha256"] = ""
                    after_commit.append((storage, stored))
                    outcome.files_removed += 1
            # No history: the history of a document would keep the file name of the old file.
            model._base_manager.filter(pk=row.pk).update(**changes)


def _empty_client(client: Client) -> None:
    """The client row without anything that identifies the young person. Saved without history:
    a history row of the emptied row would be a copy of nothing, and the old ones are gone."""
    Client._base_manager.filter(pk=client.pk).update(
        client_number=f"#{client.pk}",
        given_name="",
        family_name="",
        pseudonym="",
        date_of_birth=PLACEHOLDER_BIRTH_DATE,
        bsn="",
        street_and_number="",
        postcode="",
        place="",
        shielded=True,
        status=ClientStatus.CLOSED,
        extended_youth_care_from=None,
        extended_youth_care_until=None,
        destroyed_on=timezone.localdate(),
    )


def _check_nothing_left_dangling(tables: list[str]) -> None:
    try:
        connection.check_constraints(table_names=tables)
    except IntegrityError as error:
        logger.warning("Destruction refused: %s", error)
        raise DestructionBlocked(
            _(
                "Something in the database still points to a part of the record that would be "
                "removed; nothing was destroyed. Ask the administrator to look at: %(detail)s"
            )
            % {"detail": str(error)[:300]}
        ) from error


def record_destroy(*, client: Client) -> Outcome:
    """Remove the client's record everywhere (run inside the caller's transaction, which also
    writes the tombstone). Returns counts of what was removed and kept, never content."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_destroy runs inside the caller's transaction")
    outcome = Outcome()
    collected = _collect(client)
    kept = _split(collected)
    after_commit: list = []

    _documents_naming(client, outcome, after_commit)
    ids_by_model = _with_deleted_earlier(collected)
    _delete_history(ids_by_model, outcome)
    _delete_admin_log(ids_by_model, outcome)
    for model, pks in collected.items():
        removed = pks - kept.get(model, set())
        if not removed:
            continue
        for storage, name in _files_of(model, removed):
            after_commit.append((storage, name))
            outcome.files_removed += 1
        outcome.removed[_label(model)] = _delete_rows(model, removed)
    for model, pks in kept.items():
        if model is Client or not pks:
            continue
        outcome.kept[_label(model)] = len(pks)
        scrub = SCRUBBED_WHEN_KEPT.get(_label(model))
        if scrub:
            # No history: the history of these rows was removed with the record.
            model._base_manager.filter(pk__in=pks).update(**scrub)
    _empty_client(client)
    _check_nothing_left_dangling([m._meta.db_table for m in collected])

    def remove_files() -> None:
        for storage, name in after_commit:
            try:
                storage.delete(name)
            except OSError:
                logger.exception("Destruction: a file could not be removed: %s", name)

    transaction.on_commit(remove_files)
    return outcome
