"""Client registry service, split by task.

- `index`: the search index (ClientSearchTerm rows) and `reindex`
- `search`: parse_query, search (forgiving: a misspelt name word is corrected)
- `card`: the client summary and the card with its tabs
- `edit`: create, edit (field-by-field conflicts) and delete a client
- `people`: representatives and relatives/friends
- `duplicates`, `status` (lifecycle), `intake` (take_referral), `audit` (client access log)
- `agenda`: the registry's Today items

The field validators and the pure client rules live in `soptui.domain.validators` and
`soptui.domain.clients`; they are re-exported here so the forms keep calling `clients.<name>`.
"""

from __future__ import annotations

from soptui.domain.clients import FIELD_LABELS, NEEDS_REASON, TRANSITIONS, allowed_statuses, ipra_warning
from soptui.domain.validators import (
    MESSENGER_CHANNELS,
    channel_label,
    parse_phones,
    validate_any_date,
    validate_birth_date,
    validate_messenger,
    validate_name_part,
    validate_past_date,
)
from soptui.services.clients._common import ClientGone, can_see
from soptui.services.clients.agenda import today_items
from soptui.services.clients.audit import ACTION_LABELS, TABLE_LABELS, AuditRow, client_audit
from soptui.services.clients.card import (
    ClientCard,
    ClientSummary,
    PersonInfo,
    ReferralInfo,
    StatusChangeInfo,
    TabRow,
    form_values,
    get_client_card,
    get_client_summary,
    referral_info,
)
from soptui.services.clients.duplicates import Duplicate, find_duplicates
from soptui.services.clients.edit import (
    ClientConflict,
    ClientData,
    FieldChange,
    create_client,
    delete_client,
    update_client,
)
from soptui.services.clients.index import (
    NAME,
    PHONE,
    PHONE_REVERSED,
    PREFIX,
    PREFIX_LEN,
    W_CONTACT,
    W_OWN_NAME,
    W_OWN_PHONE,
    W_REPRESENTATIVE,
    index_terms,
    reindex,
)
from soptui.services.clients.intake import take_referral
from soptui.services.clients.people import (
    PERSON_FIELDS,
    PersonData,
    delete_person,
    get_person,
    namesake,
    person_changes,
    save_person,
)
from soptui.services.clients.search import (
    COUNT_CAP,
    MAX_LIMIT,
    MAX_WORD_LEN,
    MAX_WORDS,
    ClientRow,
    SearchFilters,
    SearchResult,
    closest_word,
    corrected_query,
    parse_query,
    search,
)
from soptui.services.clients.status import change_status
from soptui.services.errors import AccessDenied

# the forms' drop-downs of departments and staff (one implementation, in services.staff)
from soptui.services.staff import Choice, departments, staff_choices

__all__ = [
    # errors
    "AccessDenied",
    "ClientGone",
    "ClientConflict",
    # the search index
    "NAME",
    "PREFIX",
    "PHONE",
    "PHONE_REVERSED",
    "PREFIX_LEN",
    "W_OWN_NAME",
    "W_OWN_PHONE",
    "W_REPRESENTATIVE",
    "W_CONTACT",
    "index_terms",
    "reindex",
    # search
    "MAX_WORDS",
    "MAX_WORD_LEN",
    "COUNT_CAP",
    "MAX_LIMIT",
    "SearchFilters",
    "ClientRow",
    "SearchResult",
    "parse_query",
    "search",
    "closest_word",
    "corrected_query",
    "can_see",
    # summary and card
    "PersonInfo",
    "ClientSummary",
    "StatusChangeInfo",
    "ReferralInfo",
    "TabRow",
    "ClientCard",
    "get_client_summary",
    "get_client_card",
    "referral_info",
    "form_values",
    "ipra_warning",
    # create and edit
    "FIELD_LABELS",
    "ClientData",
    "FieldChange",
    "create_client",
    "update_client",
    "delete_client",
    # representatives and contacts
    "PersonData",
    "PERSON_FIELDS",
    "save_person",
    "namesake",
    "get_person",
    "person_changes",
    "delete_person",
    # duplicates
    "Duplicate",
    "find_duplicates",
    # status lifecycle
    "TRANSITIONS",
    "NEEDS_REASON",
    "allowed_statuses",
    "change_status",
    # referral intake
    "take_referral",
    # choices for forms and filters
    "Choice",
    "departments",
    "staff_choices",
    # audit log of a client
    "AuditRow",
    "ACTION_LABELS",
    "TABLE_LABELS",
    "client_audit",
    # field validators
    "MESSENGER_CHANNELS",
    "channel_label",
    "validate_name_part",
    "validate_birth_date",
    "validate_past_date",
    "validate_any_date",
    "parse_phones",
    "validate_messenger",
    # Today
    "today_items",
]
