"""API keys: where they come from, the refusal to start without one, and who may call what."""

import pytest
from fastapi.testclient import TestClient

from assessqa import errors
from assessqa.api.app import create_app
from assessqa.api.auth import AuthConfigError, KeyStore, hash_key, new_key
from assessqa.config import Settings

KEY = "tK7vQ2mX9pL4wR8nB3cF6hJ1sD5gZ0yA-Ue_Wi9Oq2M"
OTHER = "oP3xN8kV1bT6rY9qE2uI5wL7zC4mA0sD_Gh-Jf8Kl3R"


@pytest.fixture(autouse=True)
def no_keys_in_the_environment(monkeypatch):
    # Settings() reads the environment; keys set where the tests run must not leak into them.
    for name in ("ASSESSQA_API_KEYS", "ASSESSQA_API_KEY_FILE", "ASSESSQA_INSECURE_NO_AUTH"):
        monkeypatch.delenv(name, raising=False)


def test_keys_from_the_environment_variable(monkeypatch):
    monkeypatch.setenv("ASSESSQA_API_KEYS", f"{KEY}, {OTHER} ,")
    store = KeyStore.from_settings(Settings())
    assert store.identify(KEY) and store.identify(OTHER) and store.identify(KEY) != store.identify(OTHER)
    assert store.identify("not-a-key-0123456789abcdef") is None
    assert KEY not in repr(Settings())  # a SecretStr: the keys never show in a settings dump


def test_key_file_with_hashes_names_and_comments(tmp_path, monkeypatch):
    made, line = new_key()
    (tmp_path / "keys").write_text(f"# keys for the case management systems\n\n{line} mosaic-prod\n{OTHER}\n")
    monkeypatch.setenv("ASSESSQA_API_KEY_FILE", str(tmp_path / "keys"))
    store = KeyStore.from_settings(Settings())
    assert store.identify(made) == "mosaic-prod"
    assert store.identify(OTHER) == "key-" + hash_key(OTHER)[:8]
    assert store.identify(line) is None  # the stored hash is not itself a key


@pytest.mark.parametrize(
    "content, code",
    [
        # a key too short to be a random secret
        ("short-key\n", "A002"),
        # a hash with the wrong number of digits
        ("sha256:abc123 name\n", "A003"),
        # a name with spaces after the key
        (f"{KEY} two words\n", "A003"),
        # a name with characters a log line should not carry
        (f"{KEY} caf\u00e9/prod\n", "A003"),
        # the same key twice
        (f"{KEY} a\nsha256:{hash_key(KEY)} b\n", "A004"),
        # the same name twice
        (f"{KEY} same\n{OTHER} same\n", "A004"),
        # only comments: no key at all
        ("# nothing yet\n", "A001"),
    ],
)
def test_bad_key_files_are_refused_without_echoing_keys(tmp_path, content, code):
    (tmp_path / "keys").write_text(content)
    with pytest.raises(AuthConfigError) as info:
        KeyStore.from_settings(Settings(api_key_file=tmp_path / "keys"))
    assert info.value.code == code
    assert KEY not in str(info.value) and OTHER not in str(info.value)


def test_unreadable_key_file(tmp_path):
    with pytest.raises(AuthConfigError) as info:
        KeyStore.from_settings(Settings(api_key_file=tmp_path / "missing"))
    assert info.value.code == "A003"


def test_no_key_means_no_app():
    with pytest.raises(AuthConfigError) as info:
        create_app(Settings())
    assert info.value.code == "A001" and "ASSESSQA_API_KEYS" in info.value.message and "--insecure-no-auth" in info.value.message


def test_key_errors_are_assessqa_errors_from_errors_py():
    # The CLI and anything else that catches AssessQAError handle a bad key set-up like any other coded error.
    with pytest.raises(errors.AssessQAError) as info:
        KeyStore.from_settings(Settings(api_keys="password"))
    assert info.value.code is errors.ErrorCode.API_KEY_TOO_SHORT and str(info.value).startswith("[A002] ")


@pytest.fixture(scope="module")
def client(scorer):
    with TestClient(create_app(Settings(api_keys=f"{KEY},{OTHER}"), scorer=scorer)) as c:
        yield c


@pytest.mark.parametrize(
    "header, status",
    [
        # the key, as the README shows it
        (f"Bearer {KEY}", 200),
        # a second configured key
        (f"Bearer {OTHER}", 200),
        # the scheme name is case-insensitive (RFC 7235)
        (f"bearer {KEY}", 200),
        # no key after the scheme
        ("Bearer ", 401),
        # the right key under another scheme
        (f"Basic {KEY}", 401),
        # the key without a scheme
        (KEY, 401),
        # a key that differs in one character
        (f"Bearer {KEY[:-1]}X", 401),
        # a hash of the key is not the key
        (f"Bearer sha256:{hash_key(KEY)}", 401),
    ],
)
def test_only_a_configured_bearer_key_opens_the_api(client, header, status):
    assert client.get("/v1/model", headers={"Authorization": header}).status_code == status


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/metrics", "/openapi.json", "/docs"])
def test_probes_metrics_and_docs_need_no_key(client, path):
    assert client.get(path).status_code == 200


@pytest.mark.parametrize(
    "method, path",
    [
        # every scoring route
        ("post", "/v1/score"),
        ("post", "/v1/score/batch"),
        ("get", "/v1/model"),
        # a path that does not exist: a caller without a key learns nothing about what exists
        ("get", "/v1/admin"),
        ("get", "/"),
    ],
)
def test_everything_else_needs_a_key(client, method, path):
    response = getattr(client, method)(path)
    assert response.status_code == 401 and response.json()["code"] == "missing_api_key"


def test_insecure_mode_serves_without_a_key(scorer):
    with TestClient(create_app(Settings(insecure_no_auth=True), scorer=scorer)) as c:
        assert c.get("/v1/model").status_code == 200


def test_keys_are_required_even_when_insecure_mode_has_keys(scorer):
    # A configured key wins over the insecure flag: auth is never silently turned off.
    with TestClient(create_app(Settings(insecure_no_auth=True, api_keys=KEY), scorer=scorer)) as c:
        assert c.get("/v1/model").status_code == 401
