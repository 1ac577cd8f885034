"""POST /api/accounts/sites/{id}/sensor-tokens: provisioning sensors by script with the
organisation's API token; its own organisation's sites only, role it or owner."""

from django.test import Client

from clinicshield.accounts.actions import do_create_api_token
from clinicshield.accounts.core.site_signing import SiteCredential
from clinicshield.accounts.models import Organisation, SiteToken


def test_an_it_token_makes_a_site_token_shown_once(org_a: Organisation) -> None:
    client = Client(HTTP_AUTHORIZATION=f"Bearer {do_create_api_token(org_a, 'x', 'it', 't')}")
    site = org_a.sites.get()
    response = client.post(
        f"/api/accounts/sites/{site.pk}/sensor-tokens", {"name": "pc"}, "application/json"
    )
    assert response.status_code == 201, response.content
    key = SiteCredential.parse(response.json()["token"]).key_id
    assert SiteToken.objects.get(key_id=key).site == site
    listed = client.get("/api/accounts/sites").json()
    assert listed[0]["sensor_last_seen"] is None


def test_a_viewer_token_may_not_and_another_organisations_site_is_404(
    org_a: Organisation, org_b: Organisation
) -> None:
    viewer = Client(HTTP_AUTHORIZATION=f"Bearer {do_create_api_token(org_a, 'v', 'viewer', 't')}")
    url = f"/api/accounts/sites/{org_a.sites.get().pk}/sensor-tokens"
    assert viewer.post(url, {}, "application/json").status_code == 403
    charlie = Client(HTTP_AUTHORIZATION=f"Bearer {do_create_api_token(org_b, 'c', 'owner', 't')}")
    assert charlie.post(url, {}, "application/json").status_code == 404
    assert not SiteToken.objects.exists()
