"""Pages of the monitoring app, split by what they show.

- overview: the landing page (log sources, open alerts);
- alerts: the alert list with filters, one alert with its events and rules, triage;
- people: a person's access profile, marking an account as a service account;
- sources: the log sources page (events per day, quarantined records);
- events: the search over stored events.
"""
