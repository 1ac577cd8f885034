from clinicshield.simulations.core.tokens import (
    TOKEN_LENGTH,
    find_tokens,
    is_well_formed_token,
    new_token,
)


def test_it_makes_tokens_of_at_least_128_bits_that_do_not_repeat():
    tokens = {new_token() for _ in range(5000)}
    assert len(tokens) == 5000
    for token in list(tokens)[:50]:
        assert len(token) == TOKEN_LENGTH
        assert is_well_formed_token(token)
        # 32 base64url characters carry 6 bits each.
        assert len(token) * 6 >= 128


def test_it_rejects_malformed_tokens():
    assert not is_well_formed_token("short")
    assert not is_well_formed_token("A" * 31 + "!")
    assert not is_well_formed_token("A" * 33)


def test_it_finds_tokens_in_tracking_links_inside_free_text():
    token = new_token()
    other = new_token()
    text = (
        f"see https://sim.example/t/{token} and again https://sim.example/t/{token}/px.gif\n"
        f'cmd: "https://sim.example/s/{other}#  I am not a robot - Verification ID 4821"'
    )
    assert find_tokens(text) == [token, other]


def test_it_ignores_runs_that_are_not_tokens():
    assert find_tokens("https://sim.example/t/" + "A" * 40) == []
    assert find_tokens("https://sim.example/x/" + "A" * 32) == []


def test_it_finds_tokens_inside_links_rewritten_by_a_mail_gateway():
    token = new_token()
    wrapped = (
        "https://eur01.safelinks.protection.outlook.com/?url=https%3A%2F%2Fdrills.example"
        f"%2Ft%2F{token}&data=05%7C02&reserved=0"
    )
    assert find_tokens(wrapped) == [token]
