/*
 * A client login through the C API, against canned server answers: what a native app
 * does around its HTTP stack and browser. Build:
 *   cc -std=c11 -I include bindings/c/examples/client_login.c target/release/libauthcode_ffi.a \
 *      -lpthread -ldl -lm -o client_login
 */
#include "authcode.h"

#include <stdio.h>
#include <string.h>

#define S(text) (const uint8_t *)(text), strlen(text)

static authcode_str str(const char *text) {
    authcode_str s;
    s.ptr = (const uint8_t *)text;
    s.len = strlen(text);
    return s;
}

static int fail(const char *what, authcode_result result) {
    fprintf(stderr, "%s: %s\n", what, authcode_result_message(result));
    return 1;
}

int main(void) {
    const uint64_t now = 1700000000u; /* the host's clock: time(NULL) in a real app */
    authcode_client_config_params params;
    authcode_client_config *config = NULL;
    authcode_session *session = NULL;
    char url[2048], state[128], redirect[512];
    uint8_t request_buf[2048];
    size_t len = 0;
    authcode_http_request request;
    authcode_redirect_outcome redirect_outcome;
    authcode_token_outcome token_outcome;
    authcode_result result;
    const char *at;
    size_t n = 0;

    memset(&params, 0, sizeof params);
    params.client_id = str("my-client-id");
    params.redirect_uri = str("com.example.app:/oauth2");
    params.workfront_domain = str("acme.my.workfront.com");
    if ((result = authcode_client_config_new(&params, &config)) != AUTHCODE_RESULT_OK) return fail("config", result);
    if ((result = authcode_session_new(config, NULL, now, &session)) != AUTHCODE_RESULT_OK) return fail("session", result);

    /* 1. Open this in the system browser. */
    if ((result = authcode_session_authorize_url(session, (uint8_t *)url, sizeof url - 1, &len)) != AUTHCODE_RESULT_OK)
        return fail("authorize_url", result);
    url[len] = '\0';
    printf("open: %s\n", url);

    /* 2. The browser comes back to com.example.app:/oauth2?code=…&state=… (canned here). */
    at = strstr(url, "state=") + 6;
    while (at[n] && at[n] != '&' && n + 1 < sizeof state) { state[n] = at[n]; n++; }
    state[n] = '\0';
    snprintf(redirect, sizeof redirect, "com.example.app:/oauth2?code=canned-code&state=%s&domain=acme.my.workfront.com&lane=l1", state);
    if ((result = authcode_session_on_redirect(session, S(redirect), &redirect_outcome)) != AUTHCODE_RESULT_OK)
        return fail("on_redirect", result);

    /* 3. POST the token request with your HTTP stack. */
    if ((result = authcode_session_token_request(session, request_buf, sizeof request_buf, &len, &request)) != AUTHCODE_RESULT_OK)
        return fail("token_request", result);
    printf("POST %.*s (%.*s)\n", (int)request.url.len, (const char *)request.url.ptr, (int)request.content_type.len,
           (const char *)request.content_type.ptr);

    /* 4. Hand back what the server answered (canned Workfront response). */
    {
        const char *body = "{\"token_type\":\"sessionID\",\"access_token\":\"5e3b5d2c8f1a4c7b\","
                           "\"refresh_token\":\"a1b2c3d4\",\"expires_in\":3600,\"wid\":\"w1\"}";
        if ((result = authcode_session_on_token_response(session, 200, S(body), now + 1, &token_outcome)) != AUTHCODE_RESULT_OK)
            return fail("on_token_response", result);
    }
    if (token_outcome == AUTHCODE_TOKEN_OUTCOME_AUTHORIZED) {
        uint8_t token[256];
        if (authcode_session_access_token(session, token, sizeof token, &len) == AUTHCODE_RESULT_OK)
            printf("sessionID: %.*s\n", (int)len, (const char *)token);
    }
    authcode_session_free(session);
    authcode_client_config_free(config);
    printf("done\n");
    return 0;
}
