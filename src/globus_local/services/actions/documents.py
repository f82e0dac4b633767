"""The Action Provider interface's documents: ProviderDescription, ActionStatus and the
log page."""

from __future__ import annotations

import typing as t

from globus_local.kit.documents import iso
from globus_local.kit.paging import encode_marker
from globus_local.services.actions.access import ALL_AUTHENTICATED, PUBLIC, creator_urn
from globus_local.services.actions.action_request import MAXIMUM_DEADLINE
from globus_local.services.actions.durations import format_duration
from globus_local.services.actions.models import Action
from globus_local.services.actions.providers.base import Progress, Provider

ADMIN_CONTACT = "support@globus-local.invalid"


def description_document(provider: Provider) -> dict[str, t.Any]:
    facts = provider.description
    return {
        "types": ["Action"],
        "api_version": "1.0",
        "title": facts.title,
        "subtitle": facts.subtitle,
        "description": facts.description,
        "keywords": list(facts.keywords),
        "admin_contact": ADMIN_CONTACT,
        "globus_auth_scope": provider.scope,
        "synchronous": facts.synchronous,
        "log_supported": True,
        "maximum_deadline": MAXIMUM_DEADLINE,
        "input_schema": facts.input_schema,
        "visible_to": [PUBLIC],
        "runnable_by": [ALL_AUTHENTICATED],
        "administered_by": [],
        "event_types": None,
    }


def status_document(action: Action, live: Progress | None = None) -> dict[str, t.Any]:
    """The ActionStatus; ``live`` is what a running action's provider reports now, shown
    without being stored (only a change of status is)."""
    details = live.details if live is not None else action.details
    display = (live.display_status if live is not None else None) or action.display_status
    return {
        "action_id": action.id,
        "status": action.status,
        "display_status": display,
        "creator_id": creator_urn(action),
        "label": action.label,
        "monitor_by": list(action.monitor_by),
        "manage_by": list(action.manage_by),
        "start_time": iso(action.start_time),
        "completion_time": iso(action.completion_time),
        "release_after": format_duration(action.release_after),
        "details": details,
    }


def log_page(action: Action, *, limit: int, offset: int, reverse_order: bool) -> dict[str, t.Any]:
    """One page of the action's log, oldest first unless ``reverse_order``."""
    entries = list(reversed(action.log)) if reverse_order else list(action.log)
    page = entries[offset : offset + limit]
    more = offset + limit < len(entries)
    return {
        "entries": page,
        "limit": limit,
        "has_next_page": more,
        "marker": encode_marker({"offset": offset + limit}) if more else None,
    }
