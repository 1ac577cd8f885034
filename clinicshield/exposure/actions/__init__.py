"""Writes of the exposure app. Other apps and the CLI call these."""

from .networks import do_add_network, do_delete_network
from .policy import do_record_probe, do_record_reported_probe, do_run_probe, do_save_policy
from .scans import do_import_nmap_xml, do_record_observation, do_run_scan, do_start_scan
from .site_scans import SiteScanOrder, do_claim_site_scans, do_record_site_scan

__all__ = [
    "SiteScanOrder",
    "do_add_network",
    "do_claim_site_scans",
    "do_delete_network",
    "do_import_nmap_xml",
    "do_record_observation",
    "do_record_probe",
    "do_record_reported_probe",
    "do_record_site_scan",
    "do_run_probe",
    "do_run_scan",
    "do_save_policy",
    "do_start_scan",
]
