"""Pages of the simulations app, split by what they show.

- campaigns: the list of campaigns, the new-campaign wizard, launching one;
- results: a campaign's results (refreshed in place), the trend across campaigns;
- templates: the teaching pages (every template and its red flags), writing an own
  template, a template's email and landing page as a recipient would see them;
- reports: the triage of reported messages;
- public: what a recipient's browser reaches by its token (tracking links, landing pages,
  the lesson), mounted by public_urls.py;
- charts: the trend chart, drawn on the server.
"""
