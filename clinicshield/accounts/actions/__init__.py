"""Writes of the accounts app. Other apps call these; they never write accounts models."""

from .audit import audit
from .links import do_create_magic_link, do_send_portal_link, do_use_magic_link
from .organisations import (
    check_timezone,
    default_opening_hours,
    do_add_member,
    do_create_organisation,
    do_create_owner,
    do_create_site,
    do_rotate_webhook_secret,
    do_set_password,
    do_update_organisation,
)
from .security import (
    confirmed_devices,
    do_clear_login_failures,
    do_confirm_totp,
    do_create_api_token,
    do_new_recovery_codes,
    do_record_login_failure,
    do_revoke_api_token,
    do_start_totp_enrolment,
    find_api_token,
    has_mfa,
    is_locked_out,
)
from .staff import ImportResult, do_import_staff, do_mark_left, export_staff_csv

__all__ = [
    "ImportResult",
    "audit",
    "check_timezone",
    "confirmed_devices",
    "default_opening_hours",
    "do_add_member",
    "do_clear_login_failures",
    "do_confirm_totp",
    "do_create_api_token",
    "do_create_magic_link",
    "do_create_organisation",
    "do_create_owner",
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
    "export_staff_csv",
    "find_api_token",
    "has_mfa",
    "is_locked_out",
]
