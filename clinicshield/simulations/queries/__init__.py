"""Reads of the simulations app shared by pages, API, CLI, actions and due jobs; no writes.

- templates: the library, an organisation's own templates, a campaign's frozen template;
- campaigns: an organisation's campaigns, a recipient by token, campaigns with mail due;
- reports: reported messages waiting for triage, report mailboxes, unanswered reports;
- results: a campaign's results and the organisation's trend over campaigns.
"""

from .campaigns import campaign_by_id, campaigns_of, campaigns_to_send, find_recipient
from .reports import report_mailbox, report_mailboxes, triage_items, unanswered_reports
from .results import campaign_results, org_history, results_document
from .templates import (
    campaign_template,
    library,
    template_definition,
    template_library,
    template_rows,
)

__all__ = [
    "campaign_by_id",
    "campaign_results",
    "campaign_template",
    "campaigns_of",
    "campaigns_to_send",
    "find_recipient",
    "library",
    "org_history",
    "report_mailbox",
    "report_mailboxes",
    "results_document",
    "template_definition",
    "template_library",
    "template_rows",
    "triage_items",
    "unanswered_reports",
]
