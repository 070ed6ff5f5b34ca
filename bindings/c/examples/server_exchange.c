/*
 * An authorization server inside a C host: register an app, answer an authorization
 * request, exchange the code, validate the token. The HTTP layer is the host's; every
 * OAuth decision is authcode's.
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

int main(void) {
    const uint64_t now = 1700000000u;
    authcode_server *server = NULL;
    authcode_app_spec spec;
    authcode_str redirect = str("https://app.example.com/cb");
    char client_id[64], query[512], location[1024], body[1024], code[64];
    uint8_t secret[64], response_buf[1024], verifier[64], challenge[64];
    size_t client_id_len = 0, secret_len = 0, len = 0, verifier_len = 0, challenge_len = 0, n = 0;
    authcode_error_code redirected_error;
    authcode_token_request request;
    authcode_token_response response;
    const char *at;

    if (authcode_server_new(AUTHCODE_PROFILE_RFC, &server) != AUTHCODE_RESULT_OK) return 1;
    memset(&spec, 0, sizeof spec);
    spec.name = str("Web App");
    spec.kind = AUTHCODE_APP_KIND_WEB_APP;
    spec.redirect_uris = &redirect;
    spec.redirect_uri_count = 1;
    spec.rotation = true;
    spec.require_pkce = true;
    if (authcode_server_create_app(server, &spec, NULL, (uint8_t *)client_id, sizeof client_id - 1, &client_id_len, secret,
                                   sizeof secret, &secret_len) != AUTHCODE_RESULT_OK)
        return 1;
    client_id[client_id_len] = '\0';
    printf("client_id %s, secret shown once (%zu bytes)\n", client_id, secret_len);

    /* The client's PKCE pair (normally made by the client). */
    authcode_pkce_generate(NULL, 43, verifier, sizeof verifier, &verifier_len);
    authcode_pkce_challenge(verifier, verifier_len, challenge, sizeof challenge, &challenge_len);

    /* GET /authorize?… — after the user signed in and consented. */
    snprintf(query, sizeof query,
             "response_type=code&client_id=%s&redirect_uri=https%%3A%%2F%%2Fapp.example.com%%2Fcb"
             "&code_challenge=%.*s&code_challenge_method=S256&state=xyz",
             client_id, (int)challenge_len, (const char *)challenge);
    if (authcode_server_authorize(server, S(query), S("user-1"), now, NULL, (uint8_t *)location, sizeof location - 1, &len,
                                  &redirected_error) != AUTHCODE_RESULT_OK)
        return 1;
    location[len] = '\0';
    printf("302 Location: %s\n", location);
    at = strstr(location, "code=") + 5;
    while (at[n] && at[n] != '&' && n + 1 < sizeof code) { code[n] = at[n]; n++; }
    code[n] = '\0';

    /* POST /token with the secret in the body. */
    snprintf(body, sizeof body,
             "grant_type=authorization_code&code=%s&redirect_uri=https%%3A%%2F%%2Fapp.example.com%%2Fcb"
             "&code_verifier=%.*s&client_id=%s&client_secret=%.*s",
             code, (int)verifier_len, (const char *)verifier, client_id, (int)secret_len, (const char *)secret);
    memset(&request, 0, sizeof request);
    request.method = str("POST");
    request.content_type = str("application/x-www-form-urlencoded");
    request.body = str(body);
    if (authcode_server_token(server, &request, now + 1, NULL, response_buf, sizeof response_buf, &response) != AUTHCODE_RESULT_OK)
        return 1;
    printf("%u %.*s\n", (unsigned)response.status, (int)response.body.len, (const char *)response.body.ptr);
    authcode_server_free(server);
    if (response.status != 200) return 1;
    printf("done\n");
    return 0;
}
