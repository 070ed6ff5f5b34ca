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

int main() {
    test_pkce();
    test_flow();
    test_discovery();
    std::printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
