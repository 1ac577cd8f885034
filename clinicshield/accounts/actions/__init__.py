"""Writes of the accounts app. Other apps call these; they never write accounts models.
Reads live in queries."""

from .audit import audit
from .links import do_create_magic_link, do_send_portal_link, do_use_magic_link
from .organisations import (
    check_timezone,
    default_opening_hours,
    do_add_member,
    do_create_organisation,
    do_create_owner,
    do_create_owner_with_link,
    do_create_site,
    do_first_setup,
    do_rotate_webhook_secret,
    do_set_password,
    do_update_organisation,
)
from .retention import MIN_EVENTS_RETENTION_DAYS, do_set_events_retention
from .security import (
    do_confirm_totp,
    do_create_api_token,
    do_forget_login_failures,
    do_new_recovery_codes,
    do_record_login_failure,
    do_record_sign_in,
    do_revoke_api_token,
    do_start_totp_enrolment,
    find_api_token,
)
from .site_tokens import (
    SignedRequest,
    authenticate_site_request,
    do_create_site_token,
    do_note_sensor_seen,
    do_prune_site_token_nonces,
    do_record_sensor_health,
    do_revoke_site_token,
    do_rotate_site_token,
)
from .staff import ImportResult, do_import_staff, do_mark_left

__all__ = [
    "MIN_EVENTS_RETENTION_DAYS",
    "do_set_events_retention",
    "ImportResult",
    "SignedRequest",
    "authenticate_site_request",
    "do_create_site_token",
    "do_note_sensor_seen",
    "do_prune_site_token_nonces",
    "do_record_sensor_health",
    "do_revoke_site_token",
    "do_rotate_site_token",
    "audit",
    "check_timezone",
    "default_opening_hours",
    "do_add_member",
    "do_record_sign_in",
    "do_confirm_totp",
    "do_create_api_token",
    "do_create_magic_link",
    "do_create_organisation",
    "do_create_owner",
    "do_create_owner_with_link",
    "do_first_setup",
    "do_forget_login_failures",
    "do_create_site",
    "do_import_staff",
    "do_mark_left",
    "do_new_recovery_codes",
    "do_record_login_failure",
    "do_revoke_api_token",
    "do_send_portal_link",
    "do_rotate_webhook_secret",
    "do_set_password",
    "do_start_totp_enrolment",
    "do_update_organisation",
    "do_use_magic_link",
    "find_api_token",
]
