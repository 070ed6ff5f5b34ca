// authcode.hpp — a header-only C++17 wrapper over authcode's C API (include/authcode.h).
//
// Handles are move-only RAII objects; every failing call throws authcode::Error, which
// carries the authcode_result code and, where the C API keeps one, the object's last error
// text. Strings are std::string / std::string_view; buffers grow as the C API asks.
//
// Thread safety is the C API's: an object is used by one thread at a time.
#ifndef AUTHCODE_HPP
#define AUTHCODE_HPP

#include "authcode.h"

#include <cstdint>
#include <exception>
#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace authcode {

/// A failed call: the numeric result code, its symbolic name and the failure's text — the
/// handle's last error when it has one, else authcode_result_message(code).
class Error : public std::runtime_error {
public:
    /// An error for `code`; `detail` is the handle's last error (empty: the code's generic message).
    Error(authcode_result code, const std::string &detail)
        : std::runtime_error(detail.empty() ? std::string(message_of(code)) : detail), code_(code) {}
    /// The authcode_result code.
    authcode_result code() const noexcept { return code_; }
    /// The code's symbolic name, e.g. "AUTHCODE_RESULT_APP_REFUSED".
    const char *name() const noexcept { return name_of(code_); }
    /// The C name of `code`, e.g. "AUTHCODE_RESULT_APP_REFUSED" ("AUTHCODE_RESULT_UNKNOWN" for others).
    static const char *name_of(authcode_result code) noexcept { return authcode_result_name(static_cast<int32_t>(code)); }

private:
    static const char *message_of(authcode_result code) noexcept {
        const char *m = authcode_result_message(static_cast<int32_t>(code));
        return m ? m : "unknown authcode result";
    }
    authcode_result code_;
};

namespace detail {

inline authcode_str view(std::string_view text) noexcept {
    return authcode_str{reinterpret_cast<const uint8_t *>(text.data()), text.size()};
}

inline const uint8_t *bytes(std::string_view text) noexcept { return reinterpret_cast<const uint8_t *>(text.data()); }

inline std::string to_string(authcode_str s) {
    return s.ptr ? std::string(reinterpret_cast<const char *>(s.ptr), s.len) : std::string();
}

inline void check(authcode_result result, const std::string &detail = std::string()) {
    if (result != AUTHCODE_RESULT_OK) throw Error(result, detail);
}

/// Calls `fill(buf, len, &out_len)` with a buffer that grows to the size the C API asks
/// for; a failure goes to `fail(result)`, which throws.
template <class Fill, class Fail>
std::string read_text(Fill fill, size_t initial, Fail fail) {
    std::string out(initial, '\0');
    size_t len = 0;
    authcode_result result = fill(reinterpret_cast<uint8_t *>(out.data()), out.size(), &len);
    if (result == AUTHCODE_RESULT_BUFFER_TOO_SMALL) {
        out.assign(len, '\0');
        result = fill(reinterpret_cast<uint8_t *>(out.data()), out.size(), &len);
    }
    if (result != AUTHCODE_RESULT_OK) fail(result);
    out.resize(len);
    return out;
}

/// `read_text` that throws with no detail.
template <class Fill>
std::string read_text(Fill fill, size_t initial = 256) {
    return read_text(fill, initial, [](authcode_result result) { check(result); });
}

}  // namespace detail

/// The library's version string (`AUTHCODE_VERSION_STRING` of the header it was built with).
inline std::string version() { return authcode_version(); }

/// The library's ABI version; compare with `AUTHCODE_ABI_VERSION` at start-up.
inline uint32_t abi_version() noexcept { return authcode_abi_version(); }

/// True when the linked library has the ABI this header describes.
inline bool abi_matches() noexcept { return authcode_abi_version() == AUTHCODE_ABI_VERSION; }

/// PKCE helpers (RFC 7636, S256), from the operating system's randomness.
namespace pkce {
inline std::string generate(size_t length = 43) {
    return detail::read_text([&](uint8_t *b, size_t n, size_t *o) { return authcode_pkce_generate(nullptr, length, b, n, o); });
}
inline std::string challenge(std::string_view verifier) {
    return detail::read_text([&](uint8_t *b, size_t n, size_t *o) {
        return authcode_pkce_challenge(detail::bytes(verifier), verifier.size(), b, n, o);
    });
}
/// True on a match, false on a mismatch; throws for malformed input.
inline bool verify(std::string_view verifier, std::string_view challenge) {
    authcode_result result =
        authcode_pkce_verify(detail::bytes(verifier), verifier.size(), detail::bytes(challenge), challenge.size());
    if (result == AUTHCODE_RESULT_VERIFIER_MISMATCH) return false;
    detail::check(result);
    return true;
}
}  // namespace pkce

/// An HTTP request to send, copied out of the C API's buffers.
struct HttpRequest {
    std::string method, url, content_type, accept;
    std::optional<std::string> authorization;
    std::string body;
};

/// A client configuration.
class ClientConfig {
public:
    ClientConfig(authcode_profile profile, std::string_view authorization_endpoint, std::string_view token_endpoint,
                 std::string_view client_id, std::string_view redirect_uri) {
        authcode_client_config_params params{};
        params.profile = static_cast<uint32_t>(profile);
        params.authorization_endpoint = detail::view(authorization_endpoint);
        params.token_endpoint = detail::view(token_endpoint);
        params.client_id = detail::view(client_id);
        params.redirect_uri = detail::view(redirect_uri);
        params.workfront_domain = authcode_str{nullptr, 0};
        detail::check(authcode_client_config_new(&params, &handle_));
    }

    static ClientConfig workfront(std::string_view domain, std::string_view client_id, std::string_view redirect_uri) {
        authcode_client_config_params params{};
        params.client_id = detail::view(client_id);
        params.redirect_uri = detail::view(redirect_uri);
        params.workfront_domain = detail::view(domain);
        authcode_client_config *handle = nullptr;
        detail::check(authcode_client_config_new(&params, &handle));
        return ClientConfig(handle);
    }

    /// A configuration from the server's metadata (RFC 8414 / OpenID Connect discovery) that
    /// the host fetched; `issuer` must equal the document's exactly. A refusal throws
    /// `Error` (`AUTHCODE_RESULT_INVALID_CONFIG`) whose `what()` names the member at fault.
    static ClientConfig from_metadata(std::string_view document, authcode_profile profile, std::string_view issuer,
                                      std::string_view client_id, std::string_view redirect_uri,
                                      std::optional<std::string_view> client_secret = std::nullopt) {
        authcode_discovery_params params{};
        params.profile = static_cast<uint32_t>(profile);
        params.issuer = detail::view(issuer);
        params.client_id = detail::view(client_id);
        params.redirect_uri = detail::view(redirect_uri);
        params.client_secret = client_secret ? detail::view(*client_secret) : authcode_str{nullptr, 0};
        std::string reason(AUTHCODE_LAST_ERROR_MAX, '\0');
        size_t reason_len = 0;
        authcode_client_config *handle = nullptr;
        authcode_result result = authcode_client_config_from_metadata(
            reinterpret_cast<const uint8_t *>(document.data()), document.size(), &params,
            reinterpret_cast<uint8_t *>(reason.data()), reason.size(), &reason_len, &handle);
        reason.resize(reason_len);
        detail::check(result, reason);
        return ClientConfig(handle);
    }

    ClientConfig(ClientConfig &&other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
    ClientConfig &operator=(ClientConfig &&other) noexcept {
        std::swap(handle_, other.handle_);
        return *this;
    }
    ClientConfig(const ClientConfig &) = delete;
    ClientConfig &operator=(const ClientConfig &) = delete;
    ~ClientConfig() { authcode_client_config_free(handle_); }

    ClientConfig &scope(std::string_view value) { return set(authcode_client_config_set_scope, value); }
    ClientConfig &issuer(std::string_view value) { return set(authcode_client_config_set_issuer, value); }
    ClientConfig &client_secret_basic(std::string_view value) { return set(authcode_client_config_set_client_secret_basic, value); }
    ClientConfig &client_secret_post(std::string_view value) { return set(authcode_client_config_set_client_secret_post, value); }
    ClientConfig &revocation_endpoint(std::string_view value) { return set(authcode_client_config_set_revocation_endpoint, value); }
    ClientConfig &authorization_parameter(std::string_view name, std::string_view value) {
        check_config(authcode_client_config_add_authorization_parameter(handle_, detail::bytes(name), name.size(),
                                                                        detail::bytes(value), value.size()));
        return *this;
    }

    /// Overrides the token request body format.
    ClientConfig &body_format(authcode_body_format format) {
        check_config(authcode_client_config_set_body_format(handle_, static_cast<uint32_t>(format)));
        return *this;
    }
    /// Checks OpenID Connect ID tokens when the scope has `openid` (a nonce is sent; answer
    /// the code exchange with `Session::on_token_response_verified`). Needs an issuer.
    ClientConfig &check_id_tokens() {
        check_config(authcode_client_config_check_id_tokens(handle_));
        return *this;
    }
    /// Seconds before expiry at which a refresh becomes due (default 60).
    ClientConfig &refresh_margin(uint64_t seconds) {
        check_config(authcode_client_config_set_refresh_margin(handle_, seconds));
        return *this;
    }

    const authcode_client_config *get() const noexcept { return handle_; }

private:
    explicit ClientConfig(authcode_client_config *handle) : handle_(handle) {}
    template <class Setter>
    ClientConfig &set(Setter setter, std::string_view value) {
        check_config(setter(handle_, detail::bytes(value), value.size()));
        return *this;
    }
    void check_config(authcode_result result) {
        if (result == AUTHCODE_RESULT_OK) return;
        std::string why = detail::read_text([&](uint8_t *b, size_t n, size_t *o) {
            return authcode_client_config_last_error(handle_, b, n, o);
        });
        throw Error(result, why);
    }
    authcode_client_config *handle_ = nullptr;
};

/// A client session: one login and the grant it produces.
class Session {
public:
    /// Starts a login (OS randomness); `now` is Unix seconds.
    Session(const ClientConfig &config, uint64_t now) { detail::check(authcode_session_new(config.get(), nullptr, now, &handle_)); }
    Session(Session &&other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
    Session &operator=(Session &&other) noexcept {
        std::swap(handle_, other.handle_);
        return *this;
    }
    Session(const Session &) = delete;
    Session &operator=(const Session &) = delete;
    ~Session() { authcode_session_free(handle_); }

    authcode_stage stage() const {
        authcode_stage stage{};
        detail::check(authcode_session_stage(handle_, &stage));
        return stage;
    }
    std::string authorize_url() {
        return text([&](uint8_t *b, size_t n, size_t *o) { return authcode_session_authorize_url(handle_, b, n, o); }, 1024);
    }
    authcode_redirect_outcome on_redirect(std::string_view redirect) {
        authcode_redirect_outcome outcome{};
        check(authcode_session_on_redirect(handle_, detail::bytes(redirect), redirect.size(), &outcome));
        return outcome;
    }
    HttpRequest token_request() { return request([&](uint8_t *b, size_t n, size_t *o, authcode_http_request *r) {
        return authcode_session_token_request(handle_, b, n, o, r); }); }
    authcode_token_outcome on_token_response(uint16_t status, std::string_view body, uint64_t now) {
        authcode_token_outcome outcome{};
        check(authcode_session_on_token_response(handle_, status, detail::bytes(body), body.size(), now, &outcome));
        return outcome;
    }
    /// As `on_token_response`, and checks the ID token against `jwk_set` (the issuer's JWK
    /// Set document from `jwks_uri`): signature, iss, aud, azp, exp, iat, nonce. A refusal
    /// throws (`AUTHCODE_RESULT_ID_TOKEN_REFUSED`, `what()` names the check) and leaves the
    /// session waiting for the token.
    authcode_token_outcome on_token_response_verified(uint16_t status, std::string_view body, std::string_view jwk_set,
                                                      uint64_t now) {
        authcode_token_outcome outcome{};
        check(authcode_session_on_token_response_verified(handle_, status, detail::bytes(body), body.size(),
                                                          detail::bytes(jwk_set), jwk_set.size(), now, &outcome));
        return outcome;
    }
    /// The ID token `on_token_response_verified` checked, or nothing (none checked, or the
    /// session was restored). Throws without tokens.
    std::optional<std::string> id_token() const {
        std::string token = detail::read_text(
            [&](uint8_t *b, size_t n, size_t *o) { return authcode_session_id_token(handle_, b, n, o); }, 4096,
            [this](authcode_result result) { throw Error(result, last_error()); });
        if (token.empty()) return std::nullopt;
        return token;
    }
    bool refresh_due(uint64_t now) const {
        bool due = false;
        detail::check(authcode_session_refresh_due(handle_, now, &due));
        return due;
    }
    HttpRequest refresh_request() { return request([&](uint8_t *b, size_t n, size_t *o, authcode_http_request *r) {
        return authcode_session_refresh_request(handle_, b, n, o, r); }); }
    authcode_refresh_outcome on_refresh_response(uint16_t status, std::string_view body, uint64_t now) {
        authcode_refresh_outcome outcome{};
        check(authcode_session_on_refresh_response(handle_, status, detail::bytes(body), body.size(), now, &outcome));
        return outcome;
    }
    HttpRequest revocation_request(authcode_token_kind kind) {
        return request([&](uint8_t *b, size_t n, size_t *o, authcode_http_request *r) {
            return authcode_session_revocation_request(handle_, static_cast<uint32_t>(kind), b, n, o, r); });
    }
    std::string access_token() const {
        return detail::read_text([&](uint8_t *b, size_t n, size_t *o) { return authcode_session_access_token(handle_, b, n, o); });
    }
    std::string save() const {
        return detail::read_text([&](uint8_t *b, size_t n, size_t *o) { return authcode_session_save(handle_, b, n, o); }, 8192);
    }
    void restore(std::string_view saved) { check(authcode_session_restore(handle_, detail::bytes(saved), saved.size())); }
    /// The save authenticated with HMAC-SHA-256 under `key` (16..64 random bytes kept apart
    /// from the saves); it restores only through `restore_keyed` with the same key.
    std::string save_keyed(std::string_view key) const {
        return detail::read_text([&](uint8_t *b, size_t n, size_t *o) {
            return authcode_session_save_keyed(handle_, detail::bytes(key), key.size(), b, n, o); }, 8192);
    }
    /// Restores a `save_keyed` save made with `key`; a changed save, another key or an
    /// unkeyed save throw (RESTORE_FAILED) and leave the session unchanged.
    void restore_keyed(std::string_view saved, std::string_view key) {
        check(authcode_session_restore_keyed(handle_, detail::bytes(key), key.size(), detail::bytes(saved), saved.size()));
    }
    void sign_out() { detail::check(authcode_session_sign_out(handle_)); }
    /// Forgets an in-flight refresh that will never be answered.
    void cancel_refresh() { check(authcode_session_cancel_refresh(handle_)); }
    /// The refresh token, or nothing when the server issued none (throws without tokens).
    std::optional<std::string> refresh_token() const {
        std::string out(256, '\0');
        size_t len = 0;
        authcode_result result = authcode_session_refresh_token(handle_, reinterpret_cast<uint8_t *>(out.data()), out.size(), &len);
        if (result == AUTHCODE_RESULT_BUFFER_TOO_SMALL) {
            out.assign(len, '\0');
            result = authcode_session_refresh_token(handle_, reinterpret_cast<uint8_t *>(out.data()), out.size(), &len);
        }
        if (result == AUTHCODE_RESULT_NO_REFRESH_TOKEN) return std::nullopt;
        if (result != AUTHCODE_RESULT_OK) throw Error(result, last_error());
        out.resize(len);
        return out;
    }
    /// The subject (`sub`) the token response carried (Adobe IMS sends it), or nothing
    /// when the server gave none (throws without tokens).
    std::optional<std::string> subject() const {
        std::string out(256, '\0');
        size_t len = 0;
        authcode_result result = authcode_session_subject(handle_, reinterpret_cast<uint8_t *>(out.data()), out.size(), &len);
        if (result != AUTHCODE_RESULT_OK) throw Error(result, last_error());
        if (len == 0) return std::nullopt;
        out.resize(len);
        return out;
    }
    /// How the access token is presented and when it expires (Unix seconds; 0: not said).
    struct TokenInfo {
        authcode_token_type token_type;
        uint64_t expires_at;
    };
    TokenInfo token_info() const {
        TokenInfo info{};
        authcode_result result = authcode_session_token_info(handle_, &info.token_type, &info.expires_at);
        if (result != AUTHCODE_RESULT_OK) throw Error(result, last_error());
        return info;
    }
    /// The last OAuth error the server answered with (`AUTHCODE_ERROR_CODE_NONE` if none).
    authcode_error_code server_error() const {
        authcode_error_code code{};
        detail::check(authcode_session_server_error(handle_, &code));
        return code;
    }
    std::string last_error() const {
        return detail::read_text([&](uint8_t *b, size_t n, size_t *o) { return authcode_session_last_error(handle_, b, n, o); });
    }

private:
    void check(authcode_result result) {
        if (result != AUTHCODE_RESULT_OK) throw Error(result, last_error());
    }
    template <class Fill>
    std::string text(Fill fill, size_t initial) {
        return detail::read_text(fill, initial, [this](authcode_result result) { check(result); });
    }
    template <class Build>
    HttpRequest request(Build build) {
        std::vector<uint8_t> buf(2048);
        size_t len = 0;
        authcode_http_request raw{};
        authcode_result result = build(buf.data(), buf.size(), &len, &raw);
        if (result == AUTHCODE_RESULT_BUFFER_TOO_SMALL) {
            buf.resize(len);
            result = build(buf.data(), buf.size(), &len, &raw);
        }
        check(result);
        HttpRequest out{detail::to_string(raw.method), detail::to_string(raw.url), detail::to_string(raw.content_type),
                        detail::to_string(raw.accept), std::nullopt, detail::to_string(raw.body)};
        if (raw.authorization.ptr) out.authorization = detail::to_string(raw.authorization);
        return out;
    }
    authcode_session *handle_ = nullptr;
};

/// A JWS signing key for JWT grants: a P-256 or Ed25519 private key the core holds during
/// each call (wiped when the Signer is destroyed), or the host's own signing function
/// (Keychain, Android Keystore, an HSM). Copyable only by moving. The function must not
/// call the CredentialsClient that is using it (the C API forbids re-entry).
class Signer {
public:
    /// Signs a JWS signing input; returns the signature (RS256: PKCS#1 v1.5; ES256: 64-byte
    /// r||s or DER; EdDSA: 64 bytes), or nothing when the key is unavailable.
    using SignFunction = std::function<std::optional<std::vector<uint8_t>>(std::string_view signing_input)>;

    /// A P-256 private scalar (32 bytes) held by the core.
    static Signer es256_key(std::vector<uint8_t> key, std::optional<std::string> key_id = std::nullopt) {
        return Signer(AUTHCODE_JWS_ALGORITHM_ES256, std::move(key), nullptr, std::move(key_id));
    }
    /// An Ed25519 seed (32 bytes) held by the core.
    static Signer ed25519_key(std::vector<uint8_t> seed, std::optional<std::string> key_id = std::nullopt) {
        return Signer(AUTHCODE_JWS_ALGORITHM_EDDSA, std::move(seed), nullptr, std::move(key_id));
    }
    /// The host's key of `algorithm`, signing through `sign`.
    static Signer host(authcode_jws_algorithm algorithm, SignFunction sign, std::optional<std::string> key_id = std::nullopt) {
        return Signer(algorithm, {}, std::make_unique<SignFunction>(std::move(sign)), std::move(key_id));
    }

    Signer(Signer &&) noexcept = default;
    /// Wipes this signer's key before taking `other`'s.
    Signer &operator=(Signer &&other) noexcept {
        if (this != &other) {
            wipe();
            algorithm_ = other.algorithm_;
            key_ = std::move(other.key_);
            sign_ = std::move(other.sign_);
            key_id_ = std::move(other.key_id_);
        }
        return *this;
    }
    Signer(const Signer &) = delete;
    Signer &operator=(const Signer &) = delete;
    ~Signer() { wipe(); }

    /// The public JWK of a key the core holds (to register with the server); throws for
    /// the host's key (AUTHCODE_RESULT_INVALID_ARGUMENT).
    std::string public_jwk() const {
        authcode_signer signer = raw();
        return detail::read_text([&](uint8_t *b, size_t n, size_t *o) { return authcode_signer_public_jwk(&signer, b, n, o); });
    }

    /// The C description, valid while this Signer lives.
    authcode_signer raw() const noexcept {
        authcode_signer signer{};
        signer.algorithm = static_cast<uint32_t>(algorithm_);
        signer.key_id = key_id_ ? detail::view(*key_id_) : authcode_str{nullptr, 0};
        if (sign_) {
            signer.private_key = authcode_str{nullptr, 0};
            signer.context = sign_.get();
            signer.sign = &Signer::trampoline;
        } else {
            signer.private_key = authcode_str{key_.data(), key_.size()};
            signer.context = nullptr;
            signer.sign = nullptr;
        }
        return signer;
    }

private:
    void wipe() noexcept {
        volatile uint8_t *p = key_.data();
        for (size_t i = 0; i < key_.size(); ++i) p[i] = 0;
    }
    Signer(authcode_jws_algorithm algorithm, std::vector<uint8_t> key, std::unique_ptr<SignFunction> sign,
           std::optional<std::string> key_id)
        : algorithm_(algorithm), key_(std::move(key)), sign_(std::move(sign)), key_id_(std::move(key_id)) {}

    // No exception crosses into C: any failure is "the key is unavailable".
    static int32_t trampoline(void *context, const uint8_t *input, size_t input_len, uint8_t *signature,
                              size_t capacity, size_t *signature_len) noexcept {
        try {
            auto &sign = *static_cast<SignFunction *>(context);
            std::optional<std::vector<uint8_t>> signed_ =
                sign(std::string_view(reinterpret_cast<const char *>(input), input_len));
            if (!signed_ || signed_->size() > capacity) return -1;
            std::copy(signed_->begin(), signed_->end(), signature);
            *signature_len = signed_->size();
            return 0;
        } catch (...) {
            return -1;
        }
    }

    authcode_jws_algorithm algorithm_;
    std::vector<uint8_t> key_;
    std::unique_ptr<SignFunction> sign_;
    std::optional<std::string> key_id_;
};

/// What a JWT grant asserts.
struct JwtGrant {
    /// `sub`: the user the token acts for.
    std::string subject;
    /// `aud` (RFC 7523 requires it: the server's issuer or token endpoint URL).
    std::optional<std::string> audience;
    /// `iss` when it is not the client id (Workfront: the customer id).
    std::optional<std::string> issuer;
    /// Seconds from `iat` to `exp` (0: 300).
    uint64_t lifetime_seconds = 0;
    /// Workfront's exchange body instead of RFC 7523's.
    bool workfront = false;
};

/// A machine-to-machine client: the client credentials grant and JWT grants, with the
/// token cached until it is due.
class CredentialsClient {
public:
    CredentialsClient(authcode_profile profile, std::string_view token_endpoint, std::string_view client_id,
                      std::string_view client_secret, authcode_credentials_auth auth = AUTHCODE_CREDENTIALS_AUTH_BASIC) {
        authcode_credentials_params params{};
        params.profile = static_cast<uint32_t>(profile);
        params.token_endpoint = detail::view(token_endpoint);
        params.client_id = detail::view(client_id);
        params.client_secret = detail::view(client_secret);
        params.auth = static_cast<uint32_t>(auth);
        detail::check(authcode_credentials_client_new(&params, &handle_));
    }
    /// The client of a confidential configuration (throws for a public client).
    static CredentialsClient from_config(const ClientConfig &config) {
        authcode_credentials_client *handle = nullptr;
        detail::check(authcode_credentials_client_from_config(config.get(), &handle));
        return CredentialsClient(handle);
    }
    CredentialsClient(CredentialsClient &&other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
    CredentialsClient &operator=(CredentialsClient &&other) noexcept {
        std::swap(handle_, other.handle_);
        return *this;
    }
    CredentialsClient(const CredentialsClient &) = delete;
    CredentialsClient &operator=(const CredentialsClient &) = delete;
    ~CredentialsClient() { authcode_credentials_client_free(handle_); }

    CredentialsClient &scope(std::string_view scope) {
        check(authcode_credentials_client_set_scope(handle_, detail::bytes(scope), scope.size()));
        return *this;
    }
    /// The client credentials token request.
    HttpRequest token_request() {
        return request([&](uint8_t *b, size_t n, size_t *o, authcode_http_request *r) {
            return authcode_credentials_client_token_request(handle_, b, n, o, r); });
    }
    /// A JWT grant request signed by `signer` (OS randomness for the jti).
    HttpRequest jwt_grant_request(const JwtGrant &grant, const Signer &signer, uint64_t now) {
        authcode_jwt_grant raw{};
        raw.subject = detail::view(grant.subject);
        raw.audience = grant.audience ? detail::view(*grant.audience) : authcode_str{nullptr, 0};
        raw.issuer = grant.issuer ? detail::view(*grant.issuer) : authcode_str{nullptr, 0};
        raw.lifetime_seconds = grant.lifetime_seconds;
        raw.workfront = grant.workfront;
        authcode_signer c_signer = signer.raw();
        return request([&](uint8_t *b, size_t n, size_t *o, authcode_http_request *r) {
            return authcode_credentials_client_jwt_grant_request(handle_, &raw, &c_signer, nullptr, now, b, n, o, r); }, 8192);
    }
    authcode_credentials_outcome on_token_response(uint16_t status, std::string_view body, uint64_t now) {
        authcode_credentials_outcome outcome{};
        check(authcode_credentials_client_on_token_response(handle_, status, detail::bytes(body), body.size(), now, &outcome));
        return outcome;
    }
    /// The cached access token while it is not due at `now`, else nothing.
    std::optional<std::string> access_token(uint64_t now) const {
        std::string out(256, '\0');
        size_t len = 0;
        authcode_result result = authcode_credentials_client_access_token(handle_, now, reinterpret_cast<uint8_t *>(out.data()), out.size(), &len);
        if (result == AUTHCODE_RESULT_BUFFER_TOO_SMALL) {
            out.assign(len, '\0');
            result = authcode_credentials_client_access_token(handle_, now, reinterpret_cast<uint8_t *>(out.data()), out.size(), &len);
        }
        if (result == AUTHCODE_RESULT_WRONG_STATE) return std::nullopt;
        if (result != AUTHCODE_RESULT_OK) throw Error(result, last_error());
        out.resize(len);
        return out;
    }
    /// Drops the cached token (call it when a resource server answers 401).
    void forget_token() { check(authcode_credentials_client_forget_token(handle_)); }
    /// The OAuth error of the last refused answer (`AUTHCODE_ERROR_CODE_NONE` if none).
    authcode_error_code server_error() const {
        authcode_error_code code{};
        detail::check(authcode_credentials_client_server_error(handle_, &code));
        return code;
    }
    std::string last_error() const {
        return detail::read_text([&](uint8_t *b, size_t n, size_t *o) { return authcode_credentials_client_last_error(handle_, b, n, o); });
    }

private:
    explicit CredentialsClient(authcode_credentials_client *handle) : handle_(handle) {}
    void check(authcode_result result) const {
        if (result != AUTHCODE_RESULT_OK) throw Error(result, last_error());
    }
    template <class Build>
    HttpRequest request(Build build, size_t initial = 2048) {
        std::vector<uint8_t> buf(initial);
        size_t len = 0;
        authcode_http_request raw{};
        authcode_result result = build(buf.data(), buf.size(), &len, &raw);
        if (result == AUTHCODE_RESULT_BUFFER_TOO_SMALL) {
            buf.resize(len);
            result = build(buf.data(), buf.size(), &len, &raw);
        }
        check(result);
        HttpRequest out{detail::to_string(raw.method), detail::to_string(raw.url), detail::to_string(raw.content_type),
                        detail::to_string(raw.accept), std::nullopt, detail::to_string(raw.body)};
        if (raw.authorization.ptr) out.authorization = detail::to_string(raw.authorization);
        return out;
    }
    authcode_credentials_client *handle_ = nullptr;
};

/// An embedded authorization server.
class Server {
public:
    struct CreatedApp {
        std::string client_id;
        std::optional<std::string> client_secret;  // web apps: shown this once
    };
    struct Redirect {
        std::string location;
        authcode_error_code error;  // AUTHCODE_ERROR_CODE_NONE when it carries a code
    };
    struct Response {
        uint16_t status;
        std::optional<std::string> www_authenticate;
        std::string body;  // JSON; send with Cache-Control: no-store, Pragma: no-cache
    };
    struct TokenInfo {
        std::string client_id, subject, scope;
        uint64_t expires_at;
    };

    explicit Server(authcode_profile profile) { detail::check(authcode_server_new(static_cast<uint32_t>(profile), &handle_)); }
    Server(Server &&other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
    Server &operator=(Server &&other) noexcept {
        std::swap(handle_, other.handle_);
        return *this;
    }
    Server(const Server &) = delete;
    Server &operator=(const Server &) = delete;
    ~Server() { authcode_server_free(handle_); }

    /// The issuer (RFC 9207 `iss`) put on redirects.
    void issuer(std::string_view value) { check(authcode_server_set_issuer(handle_, detail::bytes(value), value.size())); }

    /// Lifetimes of codes and access tokens, in seconds.
    void lifetimes(uint64_t code_seconds, uint64_t access_token_seconds) {
        check(authcode_server_set_lifetimes(handle_, code_seconds, access_token_seconds));
    }

    void workfront_identity(std::string_view domain, std::string_view lane, std::string_view wid) {
        check(authcode_server_set_workfront_identity(handle_, detail::view(domain), detail::view(lane), detail::view(wid)));
    }

    /// Registers an app. `client_credentials` lets a web app use that grant too
    /// (machine-to-machine apps always may); `scope` is what the app may get without a user.
    CreatedApp create_app(std::string_view name, authcode_app_kind kind, const std::vector<std::string> &redirect_uris,
                          bool rotation = true, uint64_t absolute_lifetime = 0, uint64_t inactivity_lifetime = 0,
                          bool client_credentials = false, std::string_view scope = std::string_view(),
                          const std::vector<std::string> &public_keys = {}) {
        std::vector<authcode_str> uris;
        for (const auto &uri : redirect_uris) uris.push_back(detail::view(uri));
        std::vector<authcode_str> keys;
        for (const auto &key : public_keys) keys.push_back(detail::view(key));
        authcode_app_spec spec{};
        spec.name = detail::view(name);
        spec.kind = static_cast<uint32_t>(kind);
        spec.redirect_uris = uris.data();
        spec.redirect_uri_count = uris.size();
        spec.public_keys = keys.data();
        spec.public_key_count = keys.size();
        spec.rotation = rotation;
        spec.absolute_lifetime = absolute_lifetime;
        spec.inactivity_lifetime = inactivity_lifetime;
        spec.require_pkce = true;
        spec.client_credentials = client_credentials;
        spec.scope = detail::view(scope);
        std::string id(AUTHCODE_CLIENT_ID_LEN, '\0'), secret(AUTHCODE_CLIENT_SECRET_LEN, '\0');
        size_t id_len = 0, secret_len = 0;
        check(authcode_server_create_app(handle_, &spec, nullptr, reinterpret_cast<uint8_t *>(id.data()), id.size(), &id_len,
                                         reinterpret_cast<uint8_t *>(secret.data()), secret.size(), &secret_len));
        id.resize(id_len);
        CreatedApp created{id, std::nullopt};
        if (secret_len > 0) created.client_secret = secret.substr(0, secret_len);
        return created;
    }

    /// Changes an app's name, redirect URIs and lifetimes (its kind and id stay).
    void update_app(std::string_view client_id, std::string_view name, authcode_app_kind kind,
                    const std::vector<std::string> &redirect_uris, bool rotation = true, uint64_t absolute_lifetime = 0,
                    uint64_t inactivity_lifetime = 0) {
        std::vector<authcode_str> uris;
        for (const auto &uri : redirect_uris) uris.push_back(detail::view(uri));
        authcode_app_spec spec{};
        spec.name = detail::view(name);
        spec.kind = static_cast<uint32_t>(kind);
        spec.redirect_uris = uris.data();
        spec.redirect_uri_count = uris.size();
        spec.rotation = rotation;
        spec.absolute_lifetime = absolute_lifetime;
        spec.inactivity_lifetime = inactivity_lifetime;
        spec.require_pkce = true;
        check(authcode_server_update_app(handle_, detail::bytes(client_id), client_id.size(), &spec));
    }

    /// Deletes an app; its codes and tokens stop working.
    void delete_app(std::string_view client_id) {
        check(authcode_server_delete_app(handle_, detail::bytes(client_id), client_id.size()));
    }

    /// A new secret for a web app (shown once); the old one stops working at once.
    std::string rotate_secret(std::string_view client_id) {
        return grow([&](uint8_t *b, size_t n, size_t *o) {
            return authcode_server_rotate_secret(handle_, detail::bytes(client_id), client_id.size(), nullptr, b, n, o);
        }, AUTHCODE_CLIENT_SECRET_LEN);
    }

    /// How many apps are registered.
    size_t app_count() const {
        size_t count = 0;
        detail::check(authcode_server_app_count(handle_, &count));
        return count;
    }

    /// The app's table use and quotas.
    authcode_app_usage app_usage(std::string_view client_id) {
        authcode_app_usage usage{};
        check(authcode_server_app_usage(handle_, detail::bytes(client_id), client_id.size(), &usage));
        return usage;
    }

    /// The user declined: the redirect carrying `access_denied`.
    Redirect deny(std::string_view query) {
        authcode_error_code error{};
        std::string location = grow([&](uint8_t *b, size_t n, size_t *o) {
            return authcode_server_deny(handle_, detail::bytes(query), query.size(), b, n, o, &error);
        }, 2048);
        return Redirect{location, error};
    }

    /// Revokes one access or refresh token; true when it was known.
    bool revoke_token(std::string_view token) {
        bool known = false;
        check(authcode_server_revoke_token(handle_, detail::bytes(token), token.size(), &known));
        return known;
    }

    /// Frees expired codes and grants; returns how many.
    size_t purge_expired(uint64_t now) {
        size_t removed = 0;
        check(authcode_server_purge_expired(handle_, now, &removed));
        return removed;
    }

    Redirect authorize(std::string_view query, std::string_view subject, uint64_t now) {
        authcode_error_code error{};
        std::string location = grow([&](uint8_t *b, size_t n, size_t *o) {
            return authcode_server_authorize(handle_, detail::bytes(query), query.size(), detail::bytes(subject), subject.size(),
                                             now, nullptr, b, n, o, &error);
        }, 2048);
        return Redirect{location, error};
    }

    Response token(std::string_view method, std::string_view content_type, std::optional<std::string_view> authorization,
                   std::string_view body, uint64_t now) {
        return respond(method, content_type, authorization, body, [&](const authcode_token_request *r, uint8_t *b, size_t n,
                                                                      authcode_token_response *o) {
            return authcode_server_token(handle_, r, now, nullptr, b, n, o);
        });
    }

    Response revoke(std::string_view method, std::string_view content_type, std::optional<std::string_view> authorization,
                    std::string_view body, uint64_t now) {
        return respond(method, content_type, authorization, body, [&](const authcode_token_request *r, uint8_t *b, size_t n,
                                                                      authcode_token_response *o) {
            return authcode_server_revoke(handle_, r, now, b, n, o);
        });
    }

    /// Per-app quotas (0: the default share) and pending codes per subject (1 to 8).
    void quotas(uint32_t codes_per_app, uint32_t grants_per_app, uint8_t codes_per_subject) {
        check(authcode_server_set_quotas(handle_, codes_per_app, grants_per_app, codes_per_subject));
    }

    /// Live access tokens per grant (1 to 4).
    void access_tokens_per_grant(uint8_t count) { check(authcode_server_set_access_tokens_per_grant(handle_, count)); }

    /// The refresh grace window in seconds (0 = off, at most 60).
    void refresh_grace(uint64_t seconds) { check(authcode_server_set_refresh_grace(handle_, seconds)); }

    /// Ends every grant of `subject` in every app; returns how many.
    size_t revoke_subject(std::string_view subject) {
        size_t count = 0;
        check(authcode_server_revoke_subject(handle_, detail::bytes(subject), subject.size(), &count));
        return count;
    }

    /// Ends every grant of the app; returns how many.
    size_t revoke_app_grants(std::string_view client_id) {
        size_t count = 0;
        check(authcode_server_revoke_app_grants(handle_, detail::bytes(client_id), client_id.size(), &count));
        return count;
    }

    /// A new secret for a web app (shown once); the others keep working `overlap` seconds.
    std::string rotate_secret(std::string_view client_id, uint64_t overlap, bool end_grants, uint64_t now) {
        return grow([&](uint8_t *b, size_t n, size_t *o) {
            return authcode_server_rotate_secret_with(handle_, detail::bytes(client_id), client_id.size(), overlap, end_grants,
                                                      now, nullptr, b, n, o);
        }, 64);
    }

    /// A second secret for a web app (shown once) and its slot.
    std::pair<uint32_t, std::string> add_secret(std::string_view client_id, uint64_t now) {
        uint32_t slot = 0;
        std::string secret = grow([&](uint8_t *b, size_t n, size_t *o) {
            return authcode_server_add_secret(handle_, detail::bytes(client_id), client_id.size(), now, nullptr, b, n, o, &slot);
        }, 64);
        return {slot, secret};
    }

    /// Deletes the web app's secret in `slot`.
    void delete_secret(std::string_view client_id, uint32_t slot, uint64_t now) {
        check(authcode_server_delete_secret(handle_, detail::bytes(client_id), client_id.size(), slot, now));
    }

    /// The token's owner and scope, or nothing for an unknown, expired or revoked token.
    std::optional<TokenInfo> validate(std::string_view token, uint64_t now) const {
        authcode_token_info info{};
        authcode_result result = authcode_server_validate(handle_, detail::bytes(token), token.size(), now, &info);
        if (result == AUTHCODE_RESULT_INVALID_TOKEN) return std::nullopt;
        detail::check(result);
        auto str = [](const uint8_t *p, size_t n) { return std::string(reinterpret_cast<const char *>(p), n); };
        return TokenInfo{str(info.client_id, info.client_id_len), str(info.subject, info.subject_len),
                         str(info.scope, info.scope_len), info.expires_at};
    }

private:
    template <class Fill>
    std::string grow(Fill fill, size_t initial) {
        return detail::read_text(fill, initial, [this](authcode_result result) { check(result); });
    }
    template <class Call>
    Response respond(std::string_view method, std::string_view content_type, std::optional<std::string_view> authorization,
                     std::string_view body, Call call) {
        authcode_token_request request{};
        request.method = detail::view(method);
        request.content_type = detail::view(content_type);
        request.authorization = authorization ? detail::view(*authorization) : authcode_str{nullptr, 0};
        request.body = detail::view(body);
        std::vector<uint8_t> buf(AUTHCODE_TOKEN_RESPONSE_MIN);
        authcode_token_response response{};
        check(call(&request, buf.data(), buf.size(), &response));
        Response out{response.status, std::nullopt, detail::to_string(response.body)};
        if (response.www_authenticate.ptr) out.www_authenticate = detail::to_string(response.www_authenticate);
        return out;
    }
    void check(authcode_result result) {
        if (result == AUTHCODE_RESULT_OK) return;
        std::string why = detail::read_text([&](uint8_t *b, size_t n, size_t *o) {
            return authcode_server_last_error(handle_, b, n, o);
        });
        throw Error(result, why);
    }
    authcode_server *handle_ = nullptr;
};

}  // namespace authcode

#endif  // AUTHCODE_HPP
