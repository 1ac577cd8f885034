"""Pages of the accounts app, split by what they show.

- home: where "/" leads;
- auth: sign-in, second factor, MFA enrolment, an owner's setup link (/accounts/);
- setup: an empty install's first organisation (/setup/);
- portal: the staff portal's entry and home (/portal/);
- people: the staff roster, its import and export, portal links (/o/<org>/people/);
- organisation: members, API tokens, the audit log, settings (owners);
- sites: the sites, and each site's sensors and their tokens.
"""
