"""Pages of the exposure app, split by what they show.

- overview: the landing page (findings of the latest scans by risk, the drift timeline,
  scans and networks);
- networks: registering and removing networks;
- scans: scan now, import nmap XML, a scan's page with its live progress;
- hosts: one address, what is open on it and its history;
- segmentation: the policy editor, the zone x zone matrix, the probe runs;
- common: what several pages share.
"""
