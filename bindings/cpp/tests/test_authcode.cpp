// The C++ wrapper's test: RAII handles, exceptions, and a whole client <-> server flow.
#include "authcode.hpp"

#include <cstdio>
#include <string>

static int passed = 0;
static int failed = 0;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (cond) {                                                                  \
            passed++;                                                                \
        } else {                                                                     \
            failed++;                                                                \
            std::fprintf(stderr, "FAILED %s:%d: %s\n", __FILE__, __LINE__, #cond);   \
        }                                                                            \
    } while (0)

template <class F>
static authcode_result thrown(F f) {
    try {
        f();
    } catch (const authcode::Error &error) {
        return error.code();
    }
    return AUTHCODE_RESULT_OK;
}

static void test_pkce() {
    CHECK(authcode::pkce::challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    std::string verifier = authcode::pkce::generate();
    CHECK(verifier.size() == 43);
    CHECK(authcode::pkce::verify(verifier, authcode::pkce::challenge(verifier)));
    CHECK(!authcode::pkce::verify(verifier, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"));
    CHECK(thrown([] { authcode::pkce::generate(42); }) == AUTHCODE_RESULT_INVALID_ARGUMENT);
    CHECK(thrown([] { authcode::pkce::verify("short", "x"); }) == AUTHCODE_RESULT_INVALID_VERIFIER);
}

static void test_flow() {
    const uint64_t now = 1700000000u;
    authcode::Server server(AUTHCODE_PROFILE_RFC);
    auto app = server.create_app("Web", AUTHCODE_APP_KIND_WEB_APP, {"https://web.example.com/cb"}, true);
    // A machine-to-machine app with a scope for the client credentials grant gets a secret.
    auto robot = server.create_app("Robot", AUTHCODE_APP_KIND_MACHINE_TO_MACHINE, {}, true, 0, 0, false, "reports:read");
    CHECK(robot.client_secret.has_value() && robot.client_secret->size() == 43);
    server.delete_app(robot.client_id);
    CHECK(app.client_id.size() == 32 && app.client_secret && app.client_secret->size() == 43);

    auto config = authcode::ClientConfig(AUTHCODE_PROFILE_RFC, "https://as.example.com/authorize", "https://as.example.com/token",
                                         app.client_id, "https://web.example.com/cb");
    config.scope("read write").client_secret_basic(*app.client_secret).revocation_endpoint("https://as.example.com/revoke");
    config.body_format(AUTHCODE_BODY_FORMAT_FORM).refresh_margin(60);
    CHECK(thrown([&] { config.body_format(static_cast<authcode_body_format>(9)); }) == AUTHCODE_RESULT_INVALID_ARGUMENT);
    authcode::Error bad(AUTHCODE_RESULT_OK, "");
    try {
        config.scope("bad  scope");
    } catch (const authcode::Error &error) {
        bad = error;
    }
    CHECK(bad.code() == AUTHCODE_RESULT_INVALID_CONFIG && std::string(bad.what()).find("scope") != std::string::npos);

    authcode::Session session(config, now);
    CHECK(session.stage() == AUTHCODE_STAGE_AWAITING_REDIRECT);
    CHECK(thrown([&] { session.token_request(); }) == AUTHCODE_RESULT_WRONG_STATE);
    std::string url = session.authorize_url();
    auto redirect = server.authorize(url.substr(url.find('?') + 1), "user-7", now);
    CHECK(redirect.error == AUTHCODE_ERROR_CODE_NONE);
    CHECK(thrown([&] { session.on_redirect("https://web.example.com/cb?code=x&state=forged"); }) == AUTHCODE_RESULT_REDIRECT_REFUSED);
    CHECK(session.on_redirect(redirect.location) == AUTHCODE_REDIRECT_OUTCOME_CODE_RECEIVED);

    auto request = session.token_request();
    CHECK(request.authorization && request.authorization->rfind("Basic ", 0) == 0);
    auto response = server.token(request.method, request.content_type, request.authorization, request.body, now + 1);
    CHECK(response.status == 200);
    CHECK(session.on_token_response(response.status, response.body, now + 1) == AUTHCODE_TOKEN_OUTCOME_AUTHORIZED);
    auto info = server.validate(session.access_token(), now + 2);
    CHECK(info && info->subject == "user-7" && info->scope == "read write");

    // Moving a handle leaves the source empty and the target working.
    authcode::Session moved = std::move(session);
    CHECK(moved.refresh_due(now + 3600));
    auto refresh = moved.refresh_request();
    response = server.token(refresh.method, refresh.content_type, refresh.authorization, refresh.body, now + 3600);
    CHECK(moved.on_refresh_response(response.status, response.body, now + 3600) == AUTHCODE_REFRESH_OUTCOME_REFRESHED);

    std::string saved = moved.save();
    authcode::Session restored(config, now);
    restored.restore(saved);
    CHECK(restored.stage() == AUTHCODE_STAGE_AUTHORIZED);
    CHECK(thrown([&] { restored.restore(saved.substr(0, saved.size() - 1)); }) == AUTHCODE_RESULT_RESTORE_FAILED);
    const std::string key(32, '\x07'), other(32, '\x08');
    std::string keyed = moved.save_keyed(key);
    CHECK(thrown([&] { restored.restore_keyed(keyed, other); }) == AUTHCODE_RESULT_RESTORE_FAILED);
    CHECK(thrown([&] { restored.restore(keyed); }) == AUTHCODE_RESULT_RESTORE_FAILED);
    CHECK(thrown([&] { restored.restore_keyed(saved, key); }) == AUTHCODE_RESULT_RESTORE_FAILED);
    CHECK(thrown([&] { (void)moved.save_keyed(std::string(15, 'k')); }) == AUTHCODE_RESULT_INVALID_ARGUMENT);
    restored.restore_keyed(keyed, key);
    CHECK(restored.stage() == AUTHCODE_STAGE_AUTHORIZED);

    auto revoke = restored.revocation_request(AUTHCODE_TOKEN_KIND_REFRESH);
    response = server.revoke(revoke.method, revoke.content_type, revoke.authorization, revoke.body, now + 20);
    CHECK(response.status == 200);
    CHECK(!server.validate(restored.access_token(), now + 3601));

    // The grant-store controls.
    server.quotas(0, 0, 8);
    server.access_tokens_per_grant(2);
    server.refresh_grace(10);
    CHECK(thrown([&] { server.refresh_grace(61); }) == AUTHCODE_RESULT_INVALID_SERVER_CONFIG);
    CHECK(server.revoke_subject("user-7") == 0);
    CHECK(server.revoke_app_grants(app.client_id) == 0);
    auto [slot, second] = server.add_secret(app.client_id, now + 30);
    CHECK(slot == 1 && second.size() == 43);
    CHECK(thrown([&] { server.add_secret(app.client_id, now + 31); }) == AUTHCODE_RESULT_APP_REFUSED);
    server.delete_secret(app.client_id, 0, now + 32);
    auto rotated = server.rotate_secret(app.client_id, 60, true, now + 33);
    CHECK(rotated.size() == 43 && rotated != second);

    // Session details: token info, refresh token, server error, cancel refresh.
    authcode::Session fresh(config, now);
    url = fresh.authorize_url();
    redirect = server.authorize(url.substr(url.find('?') + 1), "user-8", now);
    CHECK(fresh.on_redirect(redirect.location) == AUTHCODE_REDIRECT_OUTCOME_CODE_RECEIVED);
    CHECK(thrown([&] { (void)fresh.token_info(); }) == AUTHCODE_RESULT_WRONG_STATE);
    request = fresh.token_request();
    // The app's secret was rotated above: the exchange is refused with invalid_client.
    response = server.token(request.method, request.content_type, request.authorization, request.body, now + 40);
    CHECK(response.status == 401);
    CHECK(fresh.on_token_response(response.status, response.body, now + 40) == AUTHCODE_TOKEN_OUTCOME_REJECTED);
    CHECK(fresh.server_error() == AUTHCODE_ERROR_CODE_INVALID_CLIENT);
    CHECK(restored.server_error() == AUTHCODE_ERROR_CODE_NONE);
    auto tinfo = restored.token_info();
    CHECK(tinfo.token_type == AUTHCODE_TOKEN_TYPE_BEARER && tinfo.expires_at > now);
    auto refresh_token = restored.refresh_token();
    CHECK(refresh_token && !refresh_token->empty());
    CHECK(!restored.subject());
    (void)restored.refresh_request();
    CHECK(restored.stage() == AUTHCODE_STAGE_REFRESHING);
    restored.cancel_refresh();
    CHECK(restored.stage() == AUTHCODE_STAGE_AUTHORIZED);

    // Server administration.
    server.issuer("https://as.example.com");
    server.lifetimes(60, 3600);
    CHECK(server.app_count() == 1);
    auto usage = server.app_usage(app.client_id);
    CHECK(usage.grants_quota > 0);
    CHECK(thrown([&] { (void)server.app_usage("nobody"); }) == AUTHCODE_RESULT_APP_REFUSED);
    server.update_app(app.client_id, "Renamed", AUTHCODE_APP_KIND_WEB_APP, {"https://web.example.com/cb"});
    auto denied = server.deny(url.substr(url.find('?') + 1));
    CHECK(denied.error == AUTHCODE_ERROR_CODE_ACCESS_DENIED);
    CHECK(denied.location.find("error=access_denied") != std::string::npos);
    CHECK(!server.revoke_token("not-a-token"));
    (void)server.purge_expired(now + 100000);
    auto plain = server.rotate_secret(app.client_id);
    CHECK(plain.size() == AUTHCODE_CLIENT_SECRET_LEN);
    server.delete_app(app.client_id);
    CHECK(server.app_count() == 0);
    // The error text is that failure's, never an earlier one's.
    try {
        server.delete_app(app.client_id);
        CHECK(false);
    } catch (const authcode::Error &error) {
        CHECK(error.code() == AUTHCODE_RESULT_APP_REFUSED);
        CHECK(std::string(error.name()) == "AUTHCODE_RESULT_APP_REFUSED");
        CHECK(std::string(error.what()).find("UTF-8") == std::string::npos);
    }
    CHECK(authcode::abi_matches() && authcode::abi_version() == AUTHCODE_ABI_VERSION);
    CHECK(authcode::version() == AUTHCODE_VERSION_STRING);
}

static void test_discovery() {
    const std::string document =
        R"({"issuer":"https://idp.example.com","authorization_endpoint":"https://idp.example.com/authorize",)"
        R"("token_endpoint":"https://idp.example.com/token","response_types_supported":["code"],)"
        R"("code_challenge_methods_supported":["S256"]})";
    auto config = authcode::ClientConfig::from_metadata(document, AUTHCODE_PROFILE_RFC, "https://idp.example.com",
                                                        "app", "http://127.0.0.1/callback");
    authcode::Session session(config, 1700000000);
    CHECK(session.authorize_url().rfind("https://idp.example.com/authorize?", 0) == 0);
    try {
        authcode::ClientConfig::from_metadata(document, AUTHCODE_PROFILE_RFC, "https://other.example.com", "app",
                                              "http://127.0.0.1/callback");
        CHECK(false);
    } catch (const authcode::Error &error) {
        CHECK(error.code() == AUTHCODE_RESULT_INVALID_CONFIG);
        CHECK(std::string(error.what()).find("issuer") != std::string::npos);
    }
}

// A machine-to-machine app signs a JWT grant with a P-256 key the core holds; the C++
// server accepts it once; the host's signing function failing or throwing is SIGNING_FAILED.
static void test_jwt_grant() {
    const uint64_t now = 1700000000;
    authcode::Signer signer = authcode::Signer::es256_key(std::vector<uint8_t>(32, 0x22), std::string("k1"));
    std::string jwk = signer.public_jwk();
    CHECK(jwk.find("\"kty\":\"EC\"") != std::string::npos);
    authcode::Server server(AUTHCODE_PROFILE_RFC);
    server.issuer("https://as.example.com");
    auto app = server.create_app("robot", AUTHCODE_APP_KIND_MACHINE_TO_MACHINE, {}, false, 0, 0, false, "read", {jwk});
    authcode::CredentialsClient client(AUTHCODE_PROFILE_RFC, "https://as.example.com/token", app.client_id,
                                       *app.client_secret, AUTHCODE_CREDENTIALS_AUTH_POST);
    client.scope("read");
    CHECK(!client.access_token(now));
    authcode::JwtGrant grant;
    grant.subject = "user-1";
    grant.audience = "https://as.example.com";
    authcode::HttpRequest request = client.jwt_grant_request(grant, signer, now);
    CHECK(request.body.find("assertion=") != std::string::npos);
    auto response = server.token("POST", request.content_type, request.authorization, request.body, now);
    CHECK(response.status == 200);
    CHECK(client.on_token_response(response.status, response.body, now) == AUTHCODE_CREDENTIALS_OUTCOME_ISSUED);
    std::optional<std::string> token = client.access_token(now + 1);
    CHECK(token && server.validate(*token, now + 2)->subject == "user-1");
    auto replay = server.token("POST", request.content_type, request.authorization, request.body, now);
    CHECK(replay.status == 400);
    CHECK(client.on_token_response(replay.status, replay.body, now) == AUTHCODE_CREDENTIALS_OUTCOME_REJECTED);
    CHECK(client.server_error() == AUTHCODE_ERROR_CODE_INVALID_GRANT);
    client.forget_token();
    CHECK(!client.access_token(now + 1));

    auto unavailable = authcode::Signer::host(AUTHCODE_JWS_ALGORITHM_RS256,
                                              [](std::string_view) { return std::optional<std::vector<uint8_t>>(); });
    CHECK(thrown([&] { client.jwt_grant_request(grant, unavailable, now); }) == AUTHCODE_RESULT_SIGNING_FAILED);
    auto throwing = authcode::Signer::host(AUTHCODE_JWS_ALGORITHM_ES256, [](std::string_view) -> std::optional<std::vector<uint8_t>> {
        throw std::runtime_error("keystore locked");
    });
    CHECK(thrown([&] { client.jwt_grant_request(grant, throwing, now); }) == AUTHCODE_RESULT_SIGNING_FAILED);
    CHECK(thrown([&] { throwing.public_jwk(); }) == AUTHCODE_RESULT_INVALID_ARGUMENT);
    CHECK(client.token_request().body.find("grant_type=client_credentials") == 0);
}

// ID token checks: without the JWK Set, or with a token that does not verify, the answer
// is refused and the session still waits for the token.
static void test_id_tokens() {
    authcode::ClientConfig config(AUTHCODE_PROFILE_RFC, "https://as.example.com/authorize", "https://as.example.com/token",
                                  "app", "https://app.example.com/cb");
    config.scope("openid").issuer("https://as.example.com").check_id_tokens();
    authcode::Session session(config, 1700000000);
    std::string url = session.authorize_url();
    CHECK(url.find("nonce=") != std::string::npos);
    size_t at = url.find("state=") + 6;
    std::string state = url.substr(at, url.find('&', at) - at);
    session.on_redirect("code=c&iss=https%3A%2F%2Fas.example.com&state=" + state);
    const std::string body = R"({"access_token":"at","token_type":"Bearer","id_token":"e30.e30.AA"})";
    CHECK(thrown([&] { session.on_token_response(200, body, 1700000001); }) == AUTHCODE_RESULT_ID_TOKEN_REFUSED);
    CHECK(thrown([&] { session.on_token_response_verified(200, body, R"({"keys":[]})", 1700000001); }) ==
          AUTHCODE_RESULT_ID_TOKEN_REFUSED);
    CHECK(session.stage() == AUTHCODE_STAGE_AWAITING_TOKEN);
    CHECK(thrown([&] { session.id_token(); }) == AUTHCODE_RESULT_WRONG_STATE);
}

int main() {
    test_pkce();
    test_flow();
    test_discovery();
    test_jwt_grant();
    test_id_tokens();
    std::printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
