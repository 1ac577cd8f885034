"""Site tokens: shown once, kept as a seed only, rotated and revoked on the site's page,
and a site of another organisation is a 404."""

from typing import Any

from clinicshield.accounts.actions import do_create_site_token
from clinicshield.accounts.core.site_signing import SiteCredential
from clinicshield.accounts.models import AuditEntry, Organisation, SiteToken


def site_url(org: Organisation) -> str:
    return f"/o/{org.slug}/people/sites/{org.sites.get().pk}/"


def test_a_new_token_is_shown_once_and_only_its_seed_is_kept(
    client_alice: Any, org_a: Organisation
) -> None:
    response = client_alice.post(site_url(org_a), {"name": "reception PC"})
    assert response.status_code == 200
    shown = response.context["new"]
    credential = SiteCredential.parse(shown)
    stored = SiteToken.objects.get(key_id=credential.key_id)
    assert stored.site == org_a.sites.get() and stored.name == "reception PC"
    assert credential.secret not in stored.seed and shown not in str(vars(stored))
    again = client_alice.get(site_url(org_a))
    assert shown not in again.content.decode()
    assert credential.key_id in again.content.decode()
    assert AuditEntry.objects.filter(action="site_token.create").exists()


def test_rotating_revokes_the_old_token_and_shows_a_new_one(
    client_alice: Any, org_a: Organisation
) -> None:
    old = SiteCredential.parse(do_create_site_token(org_a.sites.get(), "server room", "test"))
    token = SiteToken.objects.get(key_id=old.key_id)
    response = client_alice.post(site_url(org_a), {"rotate": token.pk})
    new = SiteCredential.parse(response.context["new"])
    assert new.key_id != old.key_id
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert SiteToken.objects.get(key_id=new.key_id).name == "server room"


def test_revoking_removes_the_token_from_the_page(client_alice: Any, org_a: Organisation) -> None:
    key = SiteCredential.parse(do_create_site_token(org_a.sites.get(), "old", "test")).key_id
    token = SiteToken.objects.get(key_id=key)
    response = client_alice.post(site_url(org_a), {"revoke": token.pk})
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert key not in response.content.decode()


def test_bob_a_viewer_may_not_see_or_make_site_tokens(client_bob: Any, org_a: Organisation) -> None:
    assert client_bob.get(site_url(org_a)).status_code == 403
    assert client_bob.post(site_url(org_a), {"name": "mine"}).status_code == 403
    assert not SiteToken.objects.exists()


def test_charlie_gets_404_on_alices_site_and_cannot_revoke_her_token(
    client_charlie: Any, org_a: Organisation, org_b: Organisation
) -> None:
    key = SiteCredential.parse(do_create_site_token(org_a.sites.get(), "a", "test")).key_id
    token = SiteToken.objects.get(key_id=key)
    assert client_charlie.get(site_url(org_a)).status_code == 404
    # his own organisation's URL with alice's site id, and alice's token id
    url = f"/o/{org_b.slug}/people/sites/{org_a.sites.get().pk}/"
    assert client_charlie.post(url, {"revoke": token.pk}).status_code == 404
    own = f"/o/{org_b.slug}/people/sites/{org_b.sites.get().pk}/"
    assert client_charlie.post(own, {"revoke": token.pk}).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_sites_page_links_each_site_to_its_sensors_for_it_and_owners(
    client_alice: Any, client_bob: Any, org_a: Organisation
) -> None:
    assert site_url(org_a) in client_alice.get("/o/clinic-a/people/sites/").content.decode()
    assert site_url(org_a) not in client_bob.get("/o/clinic-a/people/sites/").content.decode()


def test_the_site_page_speaks_spanish(client_alice: Any, org_a: Organisation) -> None:
    page = client_alice.get(site_url(org_a), headers={"Accept-Language": "es"})
    text = page.content.decode()
    assert "Tokens de sede" in text and "Ningún sensor ha dado señales aún" in text
