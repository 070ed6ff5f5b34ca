/*
 * The C test suite for authcode's C ABI: PKCE, bad input, caller storage, and a whole
 * client <-> server flow through the C functions. Built with -Wall -Wextra -Werror
 * -pedantic, and run plain, under AddressSanitizer + UBSan, and under valgrind, from
 * `cargo test -p authcode-ffi` (ffi/tests/c_bindings.rs).
 */
#include "authcode.h"

/* Every type written through a pointer is fixed-width, even under -fshort-enums. */
_Static_assert(sizeof(authcode_result) == 4, "authcode_result is uint32_t");
_Static_assert(sizeof(authcode_stage) == 4, "authcode_stage is uint32_t");
_Static_assert(sizeof(authcode_redirect_outcome) == 4, "authcode_redirect_outcome is uint32_t");
_Static_assert(sizeof(authcode_token_outcome) == 4, "authcode_token_outcome is uint32_t");
_Static_assert(sizeof(authcode_refresh_outcome) == 4, "authcode_refresh_outcome is uint32_t");
_Static_assert(sizeof(authcode_token_type) == 4, "authcode_token_type is uint32_t");
_Static_assert(sizeof(authcode_error_code) == 4, "authcode_error_code is uint32_t");
_Static_assert(sizeof(authcode_app_kind) == 4, "authcode_app_kind is uint32_t");

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int passed = 0;
static int failed = 0;

#define CHECK(cond)                                                            \
    do {                                                                       \
        if (cond) {                                                            \
            passed++;                                                          \
        } else {                                                               \
            failed++;                                                          \
            fprintf(stderr, "FAILED %s:%d: %s\n", __FILE__, __LINE__, #cond);  \
        }                                                                      \
    } while (0)

#define CHECK_RESULT(expr, expected)                                           \
    do {                                                                       \
        authcode_result r_ = (expr);                                           \
        if (r_ == (expected)) {                                                \
            passed++;                                                          \
        } else {                                                               \
            failed++;                                                          \
            fprintf(stderr, "FAILED %s:%d: %s returned %d (%s), expected %d\n", \
                    __FILE__, __LINE__, #expr, (int)r_,                        \
                    authcode_result_message(r_), (int)(expected));             \
        }                                                                      \
    } while (0)

#define OK(expr) CHECK_RESULT(expr, AUTHCODE_RESULT_OK)

static authcode_str str(const char *text) {
    authcode_str s;
    s.ptr = (const uint8_t *)text;
    s.len = text ? strlen(text) : 0;
    return s;
}

#define S(text) (const uint8_t *)(text), strlen(text)

/* A deterministic "random" source for reproducible tests (never do this in production). */
static int counter_fill(void *context, uint8_t *buf, size_t len) {
    uint32_t *state = (uint32_t *)context;
    size_t i;
    for (i = 0; i < len; i++) {
        *state = *state * 1103515245u + 12345u;
        buf[i] = (uint8_t)(*state >> 16);
    }
    return 0;
}

static int failing_fill(void *context, uint8_t *buf, size_t len) {
    (void)context;
    (void)buf;
    (void)len;
    return -1;
}

static void test_version_and_messages(void) {
    int code;
    CHECK(strcmp(authcode_version(), AUTHCODE_VERSION_STRING) == 0);
    for (code = -5; code < 1005; code++) {
        CHECK(authcode_result_message(code) != NULL);
    }
    CHECK(strcmp(authcode_result_message(12345), "unknown result code") == 0);
    CHECK(strcmp(authcode_result_message(AUTHCODE_RESULT_OK), "Success.") == 0);
    CHECK(strstr(authcode_result_message(AUTHCODE_RESULT_BUFFER_TOO_SMALL), "size needed") != NULL);
    CHECK(authcode_abi_version() == AUTHCODE_ABI_VERSION);
    CHECK(strcmp(authcode_result_name(AUTHCODE_RESULT_OK), "AUTHCODE_RESULT_OK") == 0);
    CHECK(strcmp(authcode_result_name(AUTHCODE_RESULT_BUFFER_TOO_SMALL), "AUTHCODE_RESULT_BUFFER_TOO_SMALL") == 0);
    CHECK(strcmp(authcode_result_name(AUTHCODE_RESULT_PANIC), "AUTHCODE_RESULT_PANIC") == 0);
    CHECK(strcmp(authcode_result_name(12345), "AUTHCODE_RESULT_UNKNOWN") == 0);
    CHECK(strcmp(authcode_result_name(-1), "AUTHCODE_RESULT_UNKNOWN") == 0);
}

static void test_pkce(void) {
    uint8_t buf[256];
    size_t len = 0;
    uint32_t state = 1;
    authcode_rng rng;
    authcode_rng broken;
    rng.context = &state;
    rng.fill = counter_fill;
    broken.context = NULL;
    broken.fill = failing_fill;

    /* RFC 7636 Appendix B */
    OK(authcode_pkce_challenge(S("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"), buf, sizeof buf, &len));
    CHECK(len == 43 && memcmp(buf, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", 43) == 0);
    OK(authcode_pkce_verify(S("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
                            S("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")));
    CHECK_RESULT(authcode_pkce_verify(S("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXl"),
                                      S("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")),
                 AUTHCODE_RESULT_VERIFIER_MISMATCH);
    /* Workfront's documented sample challenge has 44 characters. */
    CHECK_RESULT(authcode_pkce_verify(S("N28zVMsKU6ptUjHaYWg3T1NFTDQqcW1R4BU5NXywapNac4hhfkxjwfhZQat"),
                                      S("wzgjYF9qEiWep-CwqgrTE78-2ghjwCtRO3vj23o4W_fw")),
                 AUTHCODE_RESULT_INVALID_CHALLENGE);
    CHECK_RESULT(authcode_pkce_verify(S("short"), S("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")),
                 AUTHCODE_RESULT_INVALID_VERIFIER);

    /* Generation: from the host's RNG and from the OS. */
    OK(authcode_pkce_generate(&rng, 43, buf, sizeof buf, &len));
    CHECK(len == 43);
    OK(authcode_pkce_generate(NULL, 128, buf, sizeof buf, &len));
    CHECK(len == 128);
    CHECK_RESULT(authcode_pkce_generate(&rng, 42, buf, sizeof buf, &len), AUTHCODE_RESULT_INVALID_ARGUMENT);
    CHECK_RESULT(authcode_pkce_generate(&rng, 129, buf, sizeof buf, &len), AUTHCODE_RESULT_INVALID_ARGUMENT);
    CHECK_RESULT(authcode_pkce_generate(&broken, 43, buf, sizeof buf, &len), AUTHCODE_RESULT_RANDOMNESS);

    /* Short buffers report the size needed; NULL pointers are refused. */
    len = 0;
    CHECK_RESULT(authcode_pkce_generate(&rng, 64, buf, 10, &len), AUTHCODE_RESULT_BUFFER_TOO_SMALL);
    CHECK(len == 64);
    len = 0;
    CHECK_RESULT(authcode_pkce_challenge(S("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"), NULL, 0, &len),
                 AUTHCODE_RESULT_BUFFER_TOO_SMALL);
    CHECK(len == 43);
    CHECK_RESULT(authcode_pkce_challenge(NULL, 43, buf, sizeof buf, &len), AUTHCODE_RESULT_NULL_POINTER);
    CHECK_RESULT(authcode_pkce_challenge(S("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"), buf, sizeof buf, NULL),
                 AUTHCODE_RESULT_NULL_POINTER);
    CHECK_RESULT(authcode_pkce_generate(&rng, 43, NULL, 64, &len), AUTHCODE_RESULT_NULL_POINTER);
}

static void send_to_server(authcode_server *server, const authcode_http_request *request, uint64_t now,
                           uint8_t *response_buf, size_t response_len, authcode_token_response *response) {
    authcode_token_request token_request;
    token_request.method = request->method;
    token_request.content_type = request->content_type;
    token_request.authorization = request->authorization;
    token_request.body = request->body;
    if (request->url.len >= 6 && memcmp(request->url.ptr + request->url.len - 6, "revoke", 6) == 0) {
        OK(authcode_server_revoke(server, &token_request, now, response_buf, response_len, response));
    } else {
        OK(authcode_server_token(server, &token_request, now, NULL, response_buf, response_len, response));
    }
}

static void test_whole_flow(void) {
    const uint64_t now = 1700000000u;
    authcode_server *server = NULL;
    authcode_client_config *config = NULL;
    authcode_session *session = NULL;
    authcode_session *restored = NULL;
    authcode_client_config_params params;
    authcode_app_spec spec;
    authcode_str redirect = str("com.example.app:/oauth2");
    char client_id[64];
    size_t client_id_len = 0, secret_len = 0, len = 0;
    uint8_t secret[64];
    char url[2048];
    char location[1024];
    uint8_t request_buf[2048];
    uint8_t response_buf[1024];
    uint8_t token[4096];
    uint8_t saved[AUTHCODE_SAVED_SESSION_MAX];
    size_t saved_len = 0;
    authcode_http_request request;
    authcode_token_response response;
    authcode_redirect_outcome redirect_outcome;
    authcode_token_outcome token_outcome;
    authcode_refresh_outcome refresh_outcome;
    authcode_error_code redirected_error;
    authcode_stage stage;
    authcode_token_type token_type;
    uint64_t expires_at = 0;
    authcode_token_info info;
    bool due = false, known = false;
    const char *query;

    /* The server: Workfront dialect, one single-page app. */
    OK(authcode_server_new(AUTHCODE_PROFILE_WORKFRONT, &server));
    OK(authcode_server_set_workfront_identity(server, str("acme.my.workfront.com"), str("lane-1"), str("wid-9")));
    memset(&spec, 0, sizeof spec);
    spec.name = str("Mobile");
    spec.kind = AUTHCODE_APP_KIND_SINGLE_PAGE;
    spec.redirect_uris = &redirect;
    spec.redirect_uri_count = 1;
    spec.rotation = true;
    spec.absolute_lifetime = 86400;
    OK(authcode_server_create_app(server, &spec, NULL, (uint8_t *)client_id, sizeof client_id - 1, &client_id_len,
                                  secret, sizeof secret, &secret_len));
    client_id[client_id_len] = '\0';
    CHECK(client_id_len == 32 && secret_len == 0);

    /* The client. */
    memset(&params, 0, sizeof params);
    params.client_id = str(client_id);
    params.redirect_uri = redirect;
    params.workfront_domain = str("acme.my.workfront.com");
    OK(authcode_client_config_new(&params, &config));
    OK(authcode_session_new(config, NULL, now, &session));
    authcode_client_config_free(config); /* the session keeps its own copy */
    OK(authcode_session_stage(session, &stage));
    CHECK(stage == AUTHCODE_STAGE_AWAITING_REDIRECT);

    /* Wrong order: no token request before the redirect. */
    CHECK_RESULT(authcode_session_token_request(session, request_buf, sizeof request_buf, &len, &request),
                 AUTHCODE_RESULT_WRONG_STATE);
    OK(authcode_session_last_error(session, token, sizeof token, &len));
    CHECK(len > 0);

    /* Authorize. */
    OK(authcode_session_authorize_url(session, (uint8_t *)url, sizeof url - 1, &len));
    url[len] = '\0';
    CHECK(strncmp(url, "https://acme.my.workfront.com/integrations/oauth2/authorize?", 59) == 0);
    query = strchr(url, '?') + 1;
    OK(authcode_server_authorize(server, S(query), S("user-42"), now, NULL, (uint8_t *)location, sizeof location - 1,
                                 &len, &redirected_error));
    location[len] = '\0';
    CHECK(redirected_error == AUTHCODE_ERROR_CODE_NONE);
    /* A forged redirect is refused and changes nothing. */
    CHECK_RESULT(authcode_session_on_redirect(session, S("com.example.app:/oauth2?code=x&state=forged"), &redirect_outcome),
                 AUTHCODE_RESULT_REDIRECT_REFUSED);
    OK(authcode_session_on_redirect(session, S(location), &redirect_outcome));
    CHECK(redirect_outcome == AUTHCODE_REDIRECT_OUTCOME_CODE_RECEIVED);

    /* Token exchange, with a buffer too small first. */
    len = 0;
    CHECK_RESULT(authcode_session_token_request(session, request_buf, 8, &len, &request), AUTHCODE_RESULT_BUFFER_TOO_SMALL);
    CHECK(len > 8);
    OK(authcode_session_token_request(session, request_buf, sizeof request_buf, &len, &request));
    CHECK(request.authorization.ptr == NULL);
    CHECK(request.content_type.len == 16 && memcmp(request.content_type.ptr, "application/json", 16) == 0);
    send_to_server(server, &request, now + 1, response_buf, sizeof response_buf, &response);
    CHECK(response.status == 200);
    OK(authcode_session_on_token_response(session, response.status, response.body.ptr, response.body.len, now + 1,
                                          &token_outcome));
    CHECK(token_outcome == AUTHCODE_TOKEN_OUTCOME_AUTHORIZED);
    OK(authcode_session_token_info(session, &token_type, &expires_at));
    CHECK(token_type == AUTHCODE_TOKEN_TYPE_SESSION_ID && expires_at == now + 1 + 3600);

    /* The resource server validates the sessionID. */
    OK(authcode_session_access_token(session, token, sizeof token, &len));
    OK(authcode_server_validate(server, token, len, now + 10, &info));
    CHECK(info.subject_len == 7 && memcmp(info.subject, "user-42", 7) == 0);
    CHECK(info.client_id_len == 32 && memcmp(info.client_id, client_id, 32) == 0);

    /* Refresh when due (60 s before expiry), with rotation. */
    OK(authcode_session_refresh_due(session, now + 3000, &due));
    CHECK(!due);
    OK(authcode_session_refresh_due(session, now + 3541, &due));
    CHECK(due);
    OK(authcode_session_refresh_request(session, request_buf, sizeof request_buf, &len, &request));
    CHECK_RESULT(authcode_session_refresh_request(session, request_buf, sizeof request_buf, &len, &request),
                 AUTHCODE_RESULT_REFRESH_IN_FLIGHT);
    OK(authcode_session_cancel_refresh(session));
    OK(authcode_session_refresh_request(session, request_buf, sizeof request_buf, &len, &request));
    send_to_server(server, &request, now + 3541, response_buf, sizeof response_buf, &response);
    OK(authcode_session_on_refresh_response(session, response.status, response.body.ptr, response.body.len, now + 3541,
                                            &refresh_outcome));
    CHECK(refresh_outcome == AUTHCODE_REFRESH_OUTCOME_REFRESHED);

    /* Save, and restore into another session (the app was killed). */
    OK(authcode_session_save(session, saved, sizeof saved, &saved_len));
    memset(&params, 0, sizeof params);
    params.client_id = str(client_id);
    params.redirect_uri = redirect;
    params.workfront_domain = str("acme.my.workfront.com");
    OK(authcode_client_config_new(&params, &config));
    OK(authcode_session_new(config, NULL, now, &restored));
    CHECK_RESULT(authcode_session_restore(restored, saved, saved_len - 1), AUTHCODE_RESULT_RESTORE_FAILED);
    saved[20] ^= 1;
    CHECK_RESULT(authcode_session_restore(restored, saved, saved_len), AUTHCODE_RESULT_RESTORE_FAILED);
    saved[20] ^= 1;
    OK(authcode_session_restore(restored, saved, saved_len));
    OK(authcode_session_stage(restored, &stage));
    CHECK(stage == AUTHCODE_STAGE_AUTHORIZED);

    /* A keyed save restores only with its key; a failed restore changes nothing. */
    {
        static const uint8_t key[32] = {7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
                                        7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7};
        static const uint8_t other[32] = {8};
        uint8_t keyed[AUTHCODE_SAVED_SESSION_MAX];
        size_t keyed_len = 0;
        OK(authcode_session_save_keyed(session, key, sizeof key, keyed, sizeof keyed, &keyed_len));
        CHECK_RESULT(authcode_session_restore_keyed(restored, other, sizeof other, keyed, keyed_len),
                     AUTHCODE_RESULT_RESTORE_FAILED);
        CHECK_RESULT(authcode_session_restore(restored, keyed, keyed_len), AUTHCODE_RESULT_RESTORE_FAILED);
        CHECK_RESULT(authcode_session_restore_keyed(restored, key, sizeof key, saved, saved_len),
                     AUTHCODE_RESULT_RESTORE_FAILED);
        CHECK_RESULT(authcode_session_restore_keyed(restored, NULL, 32, keyed, keyed_len), AUTHCODE_RESULT_NULL_POINTER);
        CHECK_RESULT(authcode_session_restore_keyed(restored, key, 15, keyed, keyed_len),
                     AUTHCODE_RESULT_INVALID_ARGUMENT);
        keyed[keyed_len - 1] ^= 1;
        CHECK_RESULT(authcode_session_restore_keyed(restored, key, sizeof key, keyed, keyed_len),
                     AUTHCODE_RESULT_RESTORE_FAILED);
        keyed[keyed_len - 1] ^= 1;
        OK(authcode_session_stage(restored, &stage));
        CHECK(stage == AUTHCODE_STAGE_AUTHORIZED);
        OK(authcode_session_restore_keyed(restored, key, sizeof key, keyed, keyed_len));
    }

    /* Revocation ends the grant for both copies. */
    OK(authcode_session_access_token(restored, token, sizeof token, &len));
    OK(authcode_session_revocation_request(restored, AUTHCODE_TOKEN_KIND_REFRESH, request_buf, sizeof request_buf, &len,
                                           &request));
    send_to_server(server, &request, now + 3600, response_buf, sizeof response_buf, &response);
    CHECK(response.status == 200);
    OK(authcode_session_access_token(restored, token, sizeof token, &len));
    CHECK_RESULT(authcode_server_validate(server, token, len, now + 3601, &info), AUTHCODE_RESULT_INVALID_TOKEN);
    OK(authcode_server_revoke_token(server, token, len, &known));
    CHECK(!known); /* the revoked grant is gone, and with it every trace of its tokens */
    OK(authcode_session_sign_out(restored));
    CHECK_RESULT(authcode_session_access_token(restored, token, sizeof token, &len), AUTHCODE_RESULT_WRONG_STATE);
    CHECK_RESULT(authcode_session_revocation_request(restored, 7, request_buf, sizeof request_buf, &len, &request),
                 AUTHCODE_RESULT_INVALID_ARGUMENT);

    authcode_session_free(restored);
    authcode_client_config_free(config);
    authcode_session_free(session);
    authcode_server_free(server);
}

static void test_server_refusals(void) {
    authcode_server *server = NULL;
    authcode_app_spec spec;
    authcode_str redirect = str("https://web.example.com/cb");
    uint8_t client_id[64], secret[64], location[1024], body[1024], message[256];
    size_t client_id_len = 0, secret_len = 0, len = 0;
    authcode_error_code redirected_error;
    authcode_token_request request;
    authcode_token_response response;
    authcode_server_capacities capacities;
    size_t count = 0;

    OK(authcode_server_get_capacities(&capacities));
    CHECK(capacities.apps == 10 && capacities.codes == AUTHCODE_SERVER_CODES);
    OK(authcode_server_new(AUTHCODE_PROFILE_RFC, &server));
    CHECK_RESULT(authcode_server_new(7, &server), AUTHCODE_RESULT_INVALID_ARGUMENT);
    memset(&spec, 0, sizeof spec);
    spec.name = str("Web");
    spec.kind = AUTHCODE_APP_KIND_WEB_APP;
    spec.redirect_uris = &redirect;
    spec.redirect_uri_count = 1;
    spec.require_pkce = true;
    /* The secret buffer is checked before anything is created. */
    CHECK_RESULT(authcode_server_create_app(server, &spec, NULL, client_id, sizeof client_id, &client_id_len, secret, 10,
                                            &secret_len),
                 AUTHCODE_RESULT_BUFFER_TOO_SMALL);
    CHECK(secret_len == 43);
    OK(authcode_server_app_count(server, &count));
    CHECK(count == 0);
    OK(authcode_server_create_app(server, &spec, NULL, client_id, sizeof client_id, &client_id_len, secret, sizeof secret,
                                  &secret_len));
    CHECK(secret_len == 43);
    OK(authcode_server_rotate_secret(server, client_id, client_id_len, NULL, secret, sizeof secret, &secret_len));
    /* A machine-to-machine app gets a secret too (client credentials): checked first as well. */
    spec.name = str("Robot");
    spec.kind = AUTHCODE_APP_KIND_MACHINE_TO_MACHINE;
    spec.redirect_uri_count = 0;
    CHECK_RESULT(authcode_server_create_app(server, &spec, NULL, client_id, sizeof client_id, &client_id_len, NULL, 0,
                                            &secret_len),
                 AUTHCODE_RESULT_BUFFER_TOO_SMALL);
    CHECK(secret_len == 43);
    OK(authcode_server_app_count(server, &count));
    CHECK(count == 1);
    spec.scope = str("reports:read reports:write");
    OK(authcode_server_create_app(server, &spec, NULL, client_id, sizeof client_id, &client_id_len, secret, sizeof secret,
                                  &secret_len));
    CHECK(secret_len == 43);
    {
        /* The client credentials grant: an app token within the app's scope. */
        char body[256];
        uint8_t answer[1024];
        authcode_token_info info;
        int body_len = snprintf(body, sizeof body, "grant_type=client_credentials&scope=reports:read&client_id=%.*s&client_secret=%.*s",
                                (int)client_id_len, (const char *)client_id, (int)secret_len, (const char *)secret);
        memset(&request, 0, sizeof request);
        request.method = str("POST");
        request.content_type = str("application/x-www-form-urlencoded");
        request.authorization = str(NULL);
        request.body.ptr = (const uint8_t *)body;
        request.body.len = (size_t)body_len;
        OK(authcode_server_token(server, &request, 1000, NULL, answer, sizeof answer, &response));
        CHECK(response.status == 200);
        {
            char json[1024];
            const char *start;
            size_t json_len = response.body.len < sizeof json - 1 ? response.body.len : sizeof json - 1;
            memcpy(json, response.body.ptr, json_len);
            json[json_len] = '\0';
            CHECK(strstr(json, "refresh_token") == NULL);
            start = strstr(json, "\"access_token\":\"");
            CHECK(start != NULL);
            if (start) {
                start += strlen("\"access_token\":\"");
                OK(authcode_server_validate(server, (const uint8_t *)start, (size_t)(strchr(start, '"') - start), 1001, &info));
                CHECK(info.subject_len == client_id_len && memcmp(info.subject, client_id, client_id_len) == 0);
                CHECK(info.scope_len == 12 && memcmp(info.scope, "reports:read", 12) == 0);
            }
        }
    }
    spec.scope = str(NULL);
    OK(authcode_server_delete_app(server, client_id, client_id_len));
    spec.name = str("Web");
    spec.kind = AUTHCODE_APP_KIND_WEB_APP;
    spec.redirect_uri_count = 1;
    OK(authcode_server_create_app(server, &spec, NULL, client_id, sizeof client_id, &client_id_len, secret, sizeof secret,
                                  &secret_len));

    /* An unknown client is refused to the user, not redirected. */
    CHECK_RESULT(authcode_server_authorize(server, S("response_type=code&client_id=nobody"), S("u"), 0, NULL, location,
                                           sizeof location, &len, &redirected_error),
                 AUTHCODE_RESULT_AUTHORIZE_REFUSED);
    OK(authcode_server_last_error(server, message, sizeof message, &len));
    CHECK(len > 0);
    /* The next failure's text replaces it; a success clears it. */
    CHECK_RESULT(authcode_server_app_count(server, NULL), AUTHCODE_RESULT_NULL_POINTER);
    OK(authcode_server_last_error(server, message, sizeof message, &len));
    CHECK(len == strlen(authcode_result_message(AUTHCODE_RESULT_NULL_POINTER)));
    OK(authcode_server_app_count(server, &count));
    OK(authcode_server_last_error(server, message, sizeof message, &len));
    CHECK(len == 0);

    /* Token endpoint: a small buffer is refused before any work; bad requests get JSON. */
    memset(&request, 0, sizeof request);
    request.method = str("POST");
    request.content_type = str("application/x-www-form-urlencoded");
    request.body = str("grant_type=password");
    CHECK_RESULT(authcode_server_token(server, &request, 0, NULL, body, 100, &response), AUTHCODE_RESULT_BUFFER_TOO_SMALL);
    OK(authcode_server_token(server, &request, 0, NULL, body, sizeof body, &response));
    CHECK(response.status == 401);
    request.method.ptr = (const uint8_t *)"\xff";
    request.method.len = 1;
    CHECK_RESULT(authcode_server_token(server, &request, 0, NULL, body, sizeof body, &response), AUTHCODE_RESULT_INVALID_UTF8);
    CHECK_RESULT(authcode_server_token(server, NULL, 0, NULL, body, sizeof body, &response), AUTHCODE_RESULT_NULL_POINTER);
    OK(authcode_server_delete_app(server, client_id, client_id_len));
    CHECK_RESULT(authcode_server_delete_app(server, client_id, client_id_len), AUTHCODE_RESULT_APP_REFUSED);
    authcode_server_free(server);
}

/* The grant-store controls: quotas, access tokens per grant, grace window, mass
 * revocation, two secrets with overlap — and every refused call changes nothing. */
static void test_server_grant_controls(void) {
    const uint64_t now = 1700000000u;
    authcode_server *server = NULL;
    authcode_app_spec spec;
    authcode_str redirect = str("https://web.example.com/cb");
    uint8_t client_id[64], secret[64], second[64], rotated[64];
    size_t client_id_len = 0, secret_len = 0, second_len = 0, rotated_len = 0, count = 99;
    uint32_t slot = 7;
    authcode_app_usage usage;
    authcode_token_request request;
    authcode_token_response response;
    uint8_t body[1024], form[512];

    OK(authcode_server_new(AUTHCODE_PROFILE_RFC, &server));
    memset(&spec, 0, sizeof spec);
    spec.name = str("Web");
    spec.kind = AUTHCODE_APP_KIND_WEB_APP;
    spec.redirect_uris = &redirect;
    spec.redirect_uri_count = 1;
    spec.require_pkce = true;
    OK(authcode_server_create_app(server, &spec, NULL, client_id, sizeof client_id, &client_id_len, secret, sizeof secret,
                                  &secret_len));

    /* Settings: out-of-range values are refused. */
    OK(authcode_server_set_quotas(server, 5, 7, 3));
    OK(authcode_server_app_usage(server, client_id, client_id_len, &usage));
    CHECK(usage.codes == 0 && usage.grants == 0 && usage.codes_quota == 5 && usage.grants_quota == 7);
    CHECK_RESULT(authcode_server_set_quotas(server, 0, 0, 9), AUTHCODE_RESULT_INVALID_SERVER_CONFIG);
    OK(authcode_server_set_quotas(server, 0, 0, 8));
    OK(authcode_server_app_usage(server, client_id, client_id_len, &usage));
    CHECK(usage.codes_quota == 22 && usage.grants_quota == 12);
    OK(authcode_server_set_access_tokens_per_grant(server, 1));
    CHECK_RESULT(authcode_server_set_access_tokens_per_grant(server, 5), AUTHCODE_RESULT_INVALID_SERVER_CONFIG);
    OK(authcode_server_set_refresh_grace(server, 30));
    CHECK_RESULT(authcode_server_set_refresh_grace(server, 61), AUTHCODE_RESULT_INVALID_SERVER_CONFIG);
    CHECK_RESULT(authcode_server_app_usage(server, S("nobody"), &usage), AUTHCODE_RESULT_APP_REFUSED);

    /* Mass revocation. */
    OK(authcode_server_revoke_subject(server, S("user-1"), &count));
    CHECK(count == 0);
    OK(authcode_server_revoke_app_grants(server, client_id, client_id_len, &count));
    CHECK(count == 0);
    CHECK_RESULT(authcode_server_revoke_app_grants(server, S("nobody"), &count), AUTHCODE_RESULT_APP_REFUSED);

    /* A second secret: a NULL or short buffer changes nothing. */
    CHECK_RESULT(authcode_server_add_secret(server, client_id, client_id_len, now, NULL, NULL, 64, &second_len, &slot),
                 AUTHCODE_RESULT_NULL_POINTER);
    CHECK_RESULT(authcode_server_add_secret(server, client_id, client_id_len, now, NULL, second, 10, &second_len, &slot),
                 AUTHCODE_RESULT_BUFFER_TOO_SMALL);
    CHECK(second_len == 43);
    OK(authcode_server_add_secret(server, client_id, client_id_len, now, NULL, second, sizeof second, &second_len, &slot));
    CHECK(slot == 1 && second_len == 43);
    CHECK_RESULT(authcode_server_add_secret(server, client_id, client_id_len, now, NULL, rotated, sizeof rotated,
                                            &rotated_len, &slot),
                 AUTHCODE_RESULT_APP_REFUSED);

    /* Both secrets authenticate at the revocation endpoint. */
    memset(&request, 0, sizeof request);
    request.method = str("POST");
    request.content_type = str("application/x-www-form-urlencoded");
    snprintf((char *)form, sizeof form, "token=x&client_id=%.*s&client_secret=%.*s", (int)client_id_len, client_id,
             (int)second_len, second);
    request.body.ptr = form;
    request.body.len = strlen((const char *)form);
    OK(authcode_server_revoke(server, &request, now, body, sizeof body, &response));
    CHECK(response.status == 200);
    OK(authcode_server_delete_secret(server, client_id, client_id_len, 1, now));
    OK(authcode_server_revoke(server, &request, now, body, sizeof body, &response));
    CHECK(response.status == 401);
    CHECK_RESULT(authcode_server_delete_secret(server, client_id, client_id_len, 0, now), AUTHCODE_RESULT_APP_REFUSED);

    /* Rotation with overlap: a NULL buffer rotates nothing; then the old secret overlaps. */
    CHECK_RESULT(authcode_server_rotate_secret_with(server, client_id, client_id_len, 60, false, now, NULL, NULL, 64,
                                                    &rotated_len),
                 AUTHCODE_RESULT_NULL_POINTER);
    snprintf((char *)form, sizeof form, "token=x&client_id=%.*s&client_secret=%.*s", (int)client_id_len, client_id,
             (int)secret_len, secret);
    request.body.len = strlen((const char *)form);
    OK(authcode_server_revoke(server, &request, now, body, sizeof body, &response));
    CHECK(response.status == 200);
    OK(authcode_server_rotate_secret_with(server, client_id, client_id_len, 60, true, now, NULL, rotated, sizeof rotated,
                                          &rotated_len));
    CHECK(rotated_len == 43);
    OK(authcode_server_revoke(server, &request, now + 59, body, sizeof body, &response));
    CHECK(response.status == 200);
    OK(authcode_server_revoke(server, &request, now + 60, body, sizeof body, &response));
    CHECK(response.status == 401);
    CHECK_RESULT(authcode_server_rotate_secret_with(server, client_id, client_id_len, 86401, false, now, NULL, rotated,
                                                    sizeof rotated, &rotated_len),
                 AUTHCODE_RESULT_APP_REFUSED);
    authcode_server_free(server);
}

static void test_client_config_errors(void) {
    authcode_client_config *config = NULL;
    authcode_client_config_params params;
    uint8_t message[256];
    size_t len = 0;

    memset(&params, 0, sizeof params);
    params.profile = AUTHCODE_PROFILE_RFC;
    params.authorization_endpoint = str("http://as.example.com/authorize"); /* not https */
    params.token_endpoint = str("https://as.example.com/token");
    params.client_id = str("app");
    params.redirect_uri = str("https://app.example.com/cb");
    CHECK_RESULT(authcode_client_config_new(&params, &config), AUTHCODE_RESULT_INVALID_CONFIG);
    params.authorization_endpoint = str("https://as.example.com/authorize");
    params.profile = 42;
    CHECK_RESULT(authcode_client_config_new(&params, &config), AUTHCODE_RESULT_INVALID_ARGUMENT);
    params.profile = AUTHCODE_PROFILE_RFC;
    OK(authcode_client_config_new(&params, &config));
    CHECK_RESULT(authcode_client_config_set_scope(config, S("bad  scope")), AUTHCODE_RESULT_INVALID_CONFIG);
    OK(authcode_client_config_last_error(config, message, sizeof message, &len));
    CHECK(len > 0 && memcmp(message, "scope", 5) == 0);
    CHECK_RESULT(authcode_client_config_set_scope(config, (const uint8_t *)"\xc3\x28", 2), AUTHCODE_RESULT_INVALID_UTF8);
    /* Every failure sets the text of that failure, not the previous one's. */
    OK(authcode_client_config_last_error(config, message, sizeof message, &len));
    CHECK(len == strlen(authcode_result_message(AUTHCODE_RESULT_INVALID_UTF8)));
    CHECK(memcmp(message, authcode_result_message(AUTHCODE_RESULT_INVALID_UTF8), len) == 0);
    CHECK_RESULT(authcode_client_config_set_scope(NULL, S("read")), AUTHCODE_RESULT_NULL_POINTER);
    OK(authcode_client_config_set_scope(config, S("read write")));
    /* Every call clears it; reading it does not. */
    OK(authcode_client_config_last_error(config, message, sizeof message, &len));
    CHECK(len == 0);
    CHECK_RESULT(authcode_client_config_set_body_format(config, 7), AUTHCODE_RESULT_INVALID_ARGUMENT);
    OK(authcode_client_config_last_error(config, message, sizeof message, &len));
    OK(authcode_client_config_last_error(config, message, sizeof message, &len));
    CHECK(len > 0 && memcmp(message, "An argument is out of range", 27) == 0);
    OK(authcode_client_config_add_authorization_parameter(config, S("prompt"), S("login")));
    CHECK_RESULT(authcode_client_config_add_authorization_parameter(config, S("state"), S("x")),
                 AUTHCODE_RESULT_INVALID_CONFIG);
    CHECK_RESULT(authcode_client_config_set_body_format(config, 9), AUTHCODE_RESULT_INVALID_ARGUMENT);
    OK(authcode_client_config_set_client_secret_basic(config, S("s3cret")));
    authcode_client_config_free(config);

    /* free(NULL) is a no-op. */
    authcode_client_config_free(NULL);
    authcode_session_free(NULL);
    authcode_server_free(NULL);
    authcode_client_config_deinit(NULL);
    authcode_session_deinit(NULL);
    authcode_server_deinit(NULL);
}

static void test_caller_storage(void) {
    authcode_client_config_params params;
    authcode_client_config *config = NULL;
    authcode_session *session = NULL;
    authcode_server *server = NULL;
    size_t config_size = authcode_client_config_size();
    size_t session_size = authcode_session_size();
    size_t server_size = authcode_server_size();
    unsigned char *config_storage = aligned_alloc(authcode_client_config_align(),
                                                  (config_size + authcode_client_config_align()) / authcode_client_config_align() * authcode_client_config_align());
    unsigned char *session_storage = aligned_alloc(authcode_session_align(),
                                                   (session_size + authcode_session_align()) / authcode_session_align() * authcode_session_align());
    unsigned char *server_storage = aligned_alloc(authcode_server_align(),
                                                  (server_size + authcode_server_align()) / authcode_server_align() * authcode_server_align());
    uint32_t state = 9;
    authcode_rng rng;
    uint8_t url[2048];
    size_t len = 0;
    rng.context = &state;
    rng.fill = counter_fill;

    memset(&params, 0, sizeof params);
    params.profile = AUTHCODE_PROFILE_RFC;
    params.authorization_endpoint = str("https://as.example.com/authorize");
    params.token_endpoint = str("https://as.example.com/token");
    params.client_id = str("app");
    params.redirect_uri = str("https://app.example.com/cb");

    CHECK_RESULT(authcode_client_config_init(config_storage, config_size - 1, &params, &config),
                 AUTHCODE_RESULT_STORAGE_TOO_SMALL);
    CHECK_RESULT(authcode_client_config_init(config_storage + 1, config_size, &params, &config),
                 AUTHCODE_RESULT_STORAGE_MISALIGNED);
    OK(authcode_client_config_init(config_storage, config_size, &params, &config));
    OK(authcode_session_init(session_storage, session_size, config, &rng, 1700000000u, &session));
    OK(authcode_session_authorize_url(session, url, sizeof url, &len));
    CHECK(len > 100);
    OK(authcode_server_init(server_storage, server_size, AUTHCODE_PROFILE_RFC, &server));
    CHECK(server == (authcode_server *)(void *)server_storage);
    CHECK_RESULT(authcode_server_init(server_storage, server_size - 1, AUTHCODE_PROFILE_RFC, &server),
                 AUTHCODE_RESULT_STORAGE_TOO_SMALL);

    authcode_server_deinit((authcode_server *)(void *)server_storage);
    authcode_session_deinit(session);
    authcode_client_config_deinit(config);
    free(server_storage);
    free(session_storage);
    free(config_storage);
}

/* A configuration from server metadata (discovery), and the Adobe IMS profile. */
static void test_discovery_and_adobe_ims(void) {
    static const char document[] =
        "{\"issuer\":\"https://ims.example.com\","
        "\"authorization_endpoint\":\"https://ims.example.com/ims/authorize/v2\","
        "\"token_endpoint\":\"https://ims.example.com/ims/token/v3\","
        "\"revocation_endpoint\":\"https://ims.example.com/ims/revoke\","
        "\"response_types_supported\":[\"code\"],"
        "\"code_challenge_methods_supported\":[\"S256\"],"
        "\"token_endpoint_auth_methods_supported\":[\"client_secret_post\",\"none\"]}";
    authcode_discovery_params params;
    authcode_client_config *config = NULL;
    authcode_session *session = NULL;
    char reason[256];
    size_t reason_len = 99;
    uint8_t url[2048];
    size_t len = 0;
    uint8_t request_buf[4096];
    authcode_http_request request;

    memset(&params, 0, sizeof params);
    params.profile = AUTHCODE_PROFILE_ADOBE_IMS;
    params.issuer = str("https://ims.example.com");
    params.client_id = str("native-app");
    params.redirect_uri = str("http://127.0.0.1/callback");
    params.client_secret = str(NULL);
    OK(authcode_client_config_from_metadata((const uint8_t *)document, strlen(document), &params,
                                            (uint8_t *)reason, sizeof reason, &reason_len, &config));
    CHECK(reason_len == 0);
    OK(authcode_session_new(config, NULL, 1700000000, &session));
    OK(authcode_session_authorize_url(session, url, sizeof url, &len));
    CHECK(len > 40 && memcmp(url, "https://ims.example.com/ims/authorize/v2?", 41) == 0);
    authcode_session_free(session);
    authcode_client_config_free(config);

    /* Another issuer: refused, naming the member; *out untouched. */
    config = NULL;
    params.issuer = str("https://evil.example.com");
    CHECK_RESULT(authcode_client_config_from_metadata((const uint8_t *)document, strlen(document), &params,
                                                      (uint8_t *)reason, sizeof reason, &reason_len, &config),
                 AUTHCODE_RESULT_INVALID_CONFIG);
    CHECK(config == NULL);
    CHECK(reason_len > 0 && strstr(reason, "issuer") != NULL);
    /* A short buffer gets a cut reason; NULL error outputs are allowed. */
    CHECK_RESULT(authcode_client_config_from_metadata((const uint8_t *)document, strlen(document), &params,
                                                      (uint8_t *)reason, 6, &reason_len, &config),
                 AUTHCODE_RESULT_INVALID_CONFIG);
    CHECK(reason_len == 6);
    CHECK_RESULT(authcode_client_config_from_metadata((const uint8_t *)document, strlen(document), &params,
                                                      NULL, 0, NULL, &config),
                 AUTHCODE_RESULT_INVALID_CONFIG);
    CHECK_RESULT(authcode_client_config_from_metadata(NULL, 5, &params, NULL, 0, NULL, &config),
                 AUTHCODE_RESULT_NULL_POINTER);
    params.profile = 77;
    CHECK_RESULT(authcode_client_config_from_metadata((const uint8_t *)document, strlen(document), &params,
                                                      NULL, 0, NULL, &config),
                 AUTHCODE_RESULT_INVALID_ARGUMENT);
    CHECK(config == NULL);

    /* With a secret, client_secret_post is picked from the list. */
    params.profile = AUTHCODE_PROFILE_ADOBE_IMS;
    params.issuer = str("https://ims.example.com");
    params.client_secret = str("p8e-secret");
    OK(authcode_client_config_from_metadata((const uint8_t *)document, strlen(document), &params,
                                            NULL, 0, NULL, &config));
    OK(authcode_session_new(config, NULL, 1700000000, &session));
    CHECK_RESULT(authcode_session_token_request(session, request_buf, sizeof request_buf, &len, &request),
                 AUTHCODE_RESULT_WRONG_STATE);
    authcode_session_free(session);
    authcode_client_config_free(config);
}

/* The host's keystore that is locked. */
static int32_t locked_keystore(void *context, const uint8_t *input, size_t input_len, uint8_t *signature,
                               size_t capacity, size_t *signature_len) {
    (void)context;
    (void)input;
    (void)input_len;
    (void)signature;
    (void)capacity;
    (void)signature_len;
    return 1;
}

/* A machine-to-machine app: an Ed25519 key handed to the core signs a JWT grant the
 * server accepts once; a locked keystore is SIGNING_FAILED. */
static void test_jwt_grant(void) {
    uint64_t now = 1700000000;
    uint8_t seed[32];
    char jwk[256], client_id[64], secret[64];
    size_t jwk_len = 0, client_id_len = 0, secret_len = 0, len = 0;
    authcode_server *server = NULL;
    authcode_app_spec spec;
    authcode_credentials_params params;
    authcode_credentials_client *client = NULL;
    authcode_signer signer;
    authcode_jwt_grant grant;
    authcode_http_request request;
    authcode_token_response response;
    authcode_credentials_outcome outcome;
    authcode_str key;
    uint8_t buf[8192], response_buf[2048], token[256];

    memset(seed, 7, sizeof seed);
    memset(&signer, 0, sizeof signer);
    signer.algorithm = AUTHCODE_JWS_ALGORITHM_EDDSA;
    signer.key_id = str("ed-1");
    signer.private_key.ptr = seed;
    signer.private_key.len = sizeof seed;
    OK(authcode_signer_public_jwk(&signer, (uint8_t *)jwk, sizeof jwk, &jwk_len));
    CHECK(jwk_len > 0 && memcmp(jwk, "{\"kty\":\"OKP\"", 12) == 0);

    OK(authcode_server_new(AUTHCODE_PROFILE_RFC, &server));
    OK(authcode_server_set_issuer(server, S("https://as.example.com")));
    memset(&spec, 0, sizeof spec);
    spec.name = str("Robot");
    spec.kind = AUTHCODE_APP_KIND_MACHINE_TO_MACHINE;
    key.ptr = (const uint8_t *)jwk;
    key.len = jwk_len;
    spec.public_keys = &key;
    spec.public_key_count = 1;
    OK(authcode_server_create_app(server, &spec, NULL, (uint8_t *)client_id, sizeof client_id, &client_id_len,
                                  (uint8_t *)secret, sizeof secret, &secret_len));

    memset(&params, 0, sizeof params);
    params.profile = AUTHCODE_PROFILE_RFC;
    params.token_endpoint = str("https://as.example.com/token");
    params.client_id.ptr = (const uint8_t *)client_id;
    params.client_id.len = client_id_len;
    params.client_secret.ptr = (const uint8_t *)secret;
    params.client_secret.len = secret_len;
    params.auth = AUTHCODE_CREDENTIALS_AUTH_BASIC;
    CHECK_RESULT(authcode_credentials_client_new(NULL, &client), AUTHCODE_RESULT_NULL_POINTER);
    OK(authcode_credentials_client_new(&params, &client));

    memset(&grant, 0, sizeof grant);
    grant.subject = str("user-1");
    grant.audience = str("https://as.example.com");
    OK(authcode_credentials_client_jwt_grant_request(client, &grant, &signer, NULL, now, buf, sizeof buf, &len, &request));
    send_to_server(server, &request, now, response_buf, sizeof response_buf, &response);
    CHECK(response.status == 200);
    OK(authcode_credentials_client_on_token_response(client, response.status, response.body.ptr, response.body.len, now,
                                                      &outcome));
    CHECK(outcome == AUTHCODE_CREDENTIALS_OUTCOME_ISSUED);
    OK(authcode_credentials_client_access_token(client, now + 1, token, sizeof token, &len));
    CHECK(len > 0);
    /* The same JWT again: refused. */
    send_to_server(server, &request, now, response_buf, sizeof response_buf, &response);
    CHECK(response.status == 400);

    signer.sign = locked_keystore;
    CHECK_RESULT(authcode_credentials_client_jwt_grant_request(client, &grant, &signer, NULL, now, buf, sizeof buf, &len,
                                                               &request),
                 AUTHCODE_RESULT_SIGNING_FAILED);
    CHECK_RESULT(authcode_signer_public_jwk(&signer, (uint8_t *)jwk, sizeof jwk, &jwk_len),
                 AUTHCODE_RESULT_INVALID_ARGUMENT);
    authcode_credentials_client_free(client);
    authcode_server_free(server);
}

int main(void) {
    test_version_and_messages();
    test_jwt_grant();
    test_pkce();
    test_client_config_errors();
    test_discovery_and_adobe_ims();
    test_whole_flow();
    test_server_refusals();
    test_server_grant_controls();
    test_caller_storage();
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
