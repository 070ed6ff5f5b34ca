// An idiomatic Swift API over authcode's C ABI (include/authcode.h, imported as the clang
// module AuthcodeFFI from AuthcodeFFI.xcframework).
//
// Every failing call throws AuthcodeError: the result code, its C name and the last error
// text of the object the call was made on, read right after the failure. Classes free
// their native handle in deinit. An object is used from one thread (or actor) at a time,
// as the C API requires; different objects may be used from different threads.
//
// Two rules this file keeps (ffi/tests/swift_symbols.rs checks what can be checked on
// Linux, where no Swift compiler runs):
// - Every pointer into Swift memory (withUTF8, withUnsafeBytes, withUnsafe*Pointer,
//   withUnsafeMutableBufferPointer) is used only inside the closure that produced it, and
//   what the C API returns as pointers into a buffer or the session (authcode_http_request,
//   authcode_token_response) is copied out inside that same closure.
// - Every enum value crossing the boundary is a plain UInt32. The header declares each as
//   `typedef uint32_t authcode_x;` beside a tag `enum authcode_x { ... }`, and how Swift
//   imports such a pair is not something to rely on: no C enumerator constant and no enum
//   typedef name is used here; the Swift enums below carry the header's values as raw values.
import AuthcodeFFI
import Foundation

// MARK: - Enums mirroring the header (raw values are the C values)

/// The result of a C call (`authcode_result`); `.ok` is 0. An `AuthcodeError` carries it.
public enum ResultCode: UInt32, CaseIterable {
    /// Success.
    case ok = 0
    /// A required pointer was NULL (a bug in this binding if it ever happens).
    case nullPointer = 1
    /// Text that must be UTF-8 is not.
    case invalidUTF8 = 2
    /// An output buffer was too small (the binding retries with the size asked for).
    case bufferTooSmall = 3
    /// The call is not valid in the object's current state.
    case wrongState = 4
    /// The random number generator failed.
    case randomness = 5
    /// An argument is out of range (an unknown enum value, a length outside its range, ...).
    case invalidArgument = 6
    /// The code verifier is malformed (RFC 7636 section 4.1).
    case invalidVerifier = 10
    /// The code challenge is malformed (not 43 base64url characters).
    case invalidChallenge = 11
    /// The verifier does not match the challenge.
    case verifierMismatch = 12
    /// The client configuration was refused.
    case invalidConfig = 20
    /// The redirect was refused (state, iss, duplicates, ...); the session is unchanged.
    case redirectRefused = 30
    /// The token endpoint's response could not be read; the session is unchanged.
    case responseUnreadable = 31
    /// A refresh is already in flight.
    case refreshInFlight = 32
    /// The server issued no refresh token.
    case noRefreshToken = 33
    /// No revocation endpoint is configured.
    case noRevocationEndpoint = 34
    /// Saved session bytes could not be restored.
    case restoreFailed = 35
    /// The OpenID Connect ID token is missing or failed a check, or no JWK Set was given;
    /// the session is unchanged and its last error names the check.
    case idTokenRefused = 36
    /// The signing key was unavailable (the signing function failed, or returned a
    /// signature of the wrong form).
    case signingFailed = 37
    /// An app registry operation was refused.
    case appRefused = 40
    /// The authorization request must be refused to the user, not redirected.
    case authorizeRefused = 41
    /// The access token is unknown, expired or revoked.
    case invalidToken = 42
    /// The server configuration was refused.
    case invalidServerConfig = 43
    /// The grant store could not be reached (answer 503).
    case storeUnavailable = 44
    /// Caller-provided storage is too small (not used by this binding).
    case storageTooSmall = 50
    /// Caller-provided storage is misaligned (not used by this binding).
    case storageMisaligned = 51
    /// A panic was caught at the boundary (a bug in authcode; please report it).
    case panic = 99
}

/// Where a session is in the flow (`authcode_stage`).
public enum Stage: UInt32, CaseIterable {
    /// Waiting for the redirect.
    case awaitingRedirect = 0
    /// Waiting for the token exchange.
    case awaitingToken = 1
    /// Tokens held.
    case authorized = 2
    /// Tokens held, refresh in flight.
    case refreshing = 3
    /// Ended without tokens, or sign-in required.
    case failed = 4
}

/// What the redirect carried (`authcode_redirect_outcome`).
public enum RedirectOutcome: UInt32, CaseIterable {
    /// A code: send the token request next.
    case codeReceived = 0
    /// The server's error (see `Session.serverError()`); the session has failed.
    case denied = 1
}

/// What the token endpoint answered to the code exchange (`authcode_token_outcome`).
public enum TokenOutcome: UInt32, CaseIterable {
    /// Tokens are held.
    case authorized = 0
    /// Refused (see `Session.serverError()`); the session has failed.
    case rejected = 1
}

/// What the token endpoint answered to a refresh (`authcode_refresh_outcome`).
public enum RefreshOutcome: UInt32, CaseIterable {
    /// New tokens are held.
    case refreshed = 0
    /// `invalid_grant`: the user must sign in again; the tokens are wiped.
    case signInRequired = 1
    /// Another error; the old tokens are kept.
    case rejected = 2
}

/// How the access token is presented (`authcode_token_type`).
public enum TokenType: UInt32, CaseIterable {
    /// `Authorization: Bearer <token>`.
    case bearer = 0
    /// Workfront's `sessionID: <token>` header.
    case sessionID = 1
}

/// An OAuth error code the server answered with (`authcode_error_code`, RFC 6749).
public enum OAuthErrorCode: UInt32, CaseIterable {
    /// No error (write `OAuthErrorCode.none`, not `.none`, where an Optional is near).
    case none = 0
    /// `invalid_request`
    case invalidRequest = 1
    /// `invalid_client`
    case invalidClient = 2
    /// `invalid_grant`
    case invalidGrant = 3
    /// `unauthorized_client`
    case unauthorizedClient = 4
    /// `unsupported_grant_type`
    case unsupportedGrantType = 5
    /// `invalid_scope`
    case invalidScope = 6
    /// `access_denied`
    case accessDenied = 7
    /// `unsupported_response_type`
    case unsupportedResponseType = 8
    /// `server_error`
    case serverError = 9
    /// `temporarily_unavailable`
    case temporarilyUnavailable = 10
    /// `unsupported_token_type`
    case unsupportedTokenType = 11
    /// Any other code.
    case other = 99
}

/// The dialect (`authcode_profile`).
public enum Profile: UInt32, CaseIterable {
    /// Plain RFC 6749: Bearer tokens, form bodies.
    case rfc = 0
    /// Adobe Workfront: sessionID tokens, JSON bodies, domain/lane/wid.
    case workfront = 1
    /// Adobe IMS (Adobe Developer Console), Workfront's successor.
    case adobeIms = 2
}

/// The token request body format (`authcode_body_format`).
public enum BodyFormat: UInt32, CaseIterable {
    /// `application/x-www-form-urlencoded`.
    case form = 0
    /// `application/json`.
    case json = 1
}

/// Which token (`authcode_token_kind`).
public enum TokenKind: UInt32, CaseIterable {
    /// The access token.
    case access = 0
    /// The refresh token.
    case refresh = 1
}

/// The kind of app a server registers (`authcode_app_kind`).
public enum AppKind: UInt32, CaseIterable {
    /// Confidential web application (gets a client secret).
    case webApp = 0
    /// Public single-page or native application (PKCE).
    case singlePage = 1
    /// Machine-to-machine (public keys; refused the code grant).
    case machineToMachine = 2
}

/// A JWS algorithm (`authcode_jws_algorithm`).
public enum JWSAlgorithm: UInt32, CaseIterable {
    /// RSASSA-PKCS1-v1_5 with SHA-256 (signed by the host's key only).
    case rs256 = 0
    /// ECDSA on P-256 with SHA-256.
    case es256 = 1
    /// Ed25519.
    case eddsa = 2
}

/// How a machine-to-machine client sends its secret (`authcode_credentials_auth`).
public enum CredentialsAuth: UInt32, CaseIterable {
    /// `Authorization: Basic`.
    case basic = 0
    /// `client_id` and `client_secret` in the form body.
    case post = 1
}

/// What the token endpoint answered a machine-to-machine client
/// (`authcode_credentials_outcome`).
public enum CredentialsOutcome: UInt32, CaseIterable {
    /// A token was issued and is cached.
    case issued = 0
    /// Refused (see `serverError()`); the cache is unchanged.
    case rejected = 1
}

extension ResultCode {
    /// The C name, e.g. "AUTHCODE_RESULT_BUFFER_TOO_SMALL".
    public var name: String { resultName(rawValue) }
    /// The library's English description of the code.
    public var message: String { resultMessage(rawValue) }
}

extension OAuthErrorCode {
    /// The code for a C value; a value this binding does not know is `.other`.
    static func from(_ raw: UInt32) -> OAuthErrorCode { OAuthErrorCode(rawValue: raw) ?? .other }
}

// MARK: - Library

/// The C name of any result number (e.g. "AUTHCODE_RESULT_WRONG_STATE"); unknown numbers
/// get "AUTHCODE_RESULT_UNKNOWN".
public func resultName(_ raw: UInt32) -> String {
    String(cString: authcode_result_name(Int32(bitPattern: raw)))
}

/// The library's English description of any result number.
public func resultMessage(_ raw: UInt32) -> String {
    String(cString: authcode_result_message(Int32(bitPattern: raw)))
}

/// Facts about the linked library and the header this binding was built against.
public enum AuthcodeLibrary {
    /// The linked library's version, e.g. "0.1.0".
    public static var version: String { String(cString: authcode_version()) }
    /// The linked library's ABI version.
    public static var abiVersion: UInt32 { authcode_abi_version() }
    /// The version of the header this binding was compiled against.
    public static let headerVersion: String = AUTHCODE_VERSION_STRING
    /// The ABI version of the header this binding was compiled against.
    public static let headerABIVersion = UInt32(AUTHCODE_ABI_VERSION)
    /// True when the linked library has the ABI this binding was compiled against; check it
    /// at start-up.
    public static var abiMatches: Bool { abiVersion == headerABIVersion }
}

// MARK: - Errors

/// A failed call: the result code, its C name, and why — the last error text of the object
/// the call was made on (client configuration, session or server), read right after the
/// failing call. Calls without an object (`Pkce`, creating an object) have an empty detail.
public struct AuthcodeError: Error, CustomStringConvertible, Equatable {
    /// The result number the C call returned.
    public let rawCode: UInt32
    /// The C name of the code (`authcode_result_name`), e.g. "AUTHCODE_RESULT_WRONG_STATE".
    public let name: String
    /// The object's last error text (empty when the call had no object to hold one).
    public let detail: String

    /// The result code, or nil for a number this binding does not know (a newer library).
    public var code: ResultCode? { ResultCode(rawValue: rawCode) }
    /// The library's generic description of the code.
    public var message: String { resultMessage(rawCode) }
    /// "NAME: detail" (the generic message when there is no detail).
    public var description: String { name + ": " + (detail.isEmpty ? message : detail) }

    init(rawCode: UInt32, detail: String) {
        self.rawCode = rawCode
        self.name = resultName(rawCode)
        self.detail = detail
    }
}

extension AuthcodeError: LocalizedError {
    /// The same text as `description`, for `localizedDescription`.
    public var errorDescription: String? { description }
}

/// Throws for a failed C call. `detail` reads the object's last error; it is called only on
/// failure, right after the call.
func check(_ result: UInt32, _ detail: () -> String = { "" }) throws {
    guard result != ResultCode.ok.rawValue else { return }
    throw AuthcodeError(rawCode: result, detail: detail())
}

/// The Swift enum for a C value, or an error naming the value this binding does not know.
func decode<E: RawRepresentable>(_ raw: UInt32, as type: E.Type) throws -> E where E.RawValue == UInt32 {
    guard let value = E(rawValue: raw) else {
        throw AuthcodeError(
            rawCode: ResultCode.invalidArgument.rawValue,
            detail: "the library returned \(raw) for \(E.self), which this binding does not know; compare AuthcodeLibrary.abiVersion with headerABIVersion")
    }
    return value
}

// MARK: - Pointer helpers (each pointer lives only inside its closure)

/// Runs `body` with the UTF-8 bytes of `text` as `(pointer, count)`; the pointer is valid
/// only inside `body`. An empty text may come as `(nil, 0)`, which C reads as empty.
func withBytes<R>(_ text: String, _ body: (UnsafePointer<UInt8>?, Int) throws -> R) rethrows -> R {
    var text = text
    return try text.withUTF8 { (bytes: UnsafeBufferPointer<UInt8>) throws -> R in
        try body(bytes.baseAddress, bytes.count)
    }
}

/// Runs `body` with the bytes of `data` as `(pointer, count)`; the pointer is valid only
/// inside `body`.
func withBytes<R>(_ data: Data, _ body: (UnsafePointer<UInt8>?, Int) throws -> R) rethrows -> R {
    try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws -> R in
        try body(raw.bindMemory(to: UInt8.self).baseAddress, raw.count)
    }
}

/// Runs `body` with an `authcode_str` view of `text`, valid only inside `body`.
func withStr<R>(_ text: String, _ body: (authcode_str) throws -> R) rethrows -> R {
    try withBytes(text) { (pointer: UnsafePointer<UInt8>?, count: Int) throws -> R in
        try body(authcode_str(ptr: pointer, len: count))
    }
}

/// Runs `body` with an `authcode_str` view of `data`, valid only inside `body`.
func withStr<R>(_ data: Data, _ body: (authcode_str) throws -> R) rethrows -> R {
    try withBytes(data) { (pointer: UnsafePointer<UInt8>?, count: Int) throws -> R in
        try body(authcode_str(ptr: pointer, len: count))
    }
}

/// Runs `body` with an `authcode_str` view of `text`, or an absent one (NULL `ptr`) for nil.
func withOptionalStr<R>(_ text: String?, _ body: (authcode_str) throws -> R) rethrows -> R {
    guard let present = text else { return try body(authcode_str(ptr: nil, len: 0)) }
    return try withStr(present, body)
}

/// Runs `body` with a C array of `authcode_str` views of `texts` (their bytes packed into
/// one buffer), valid only inside `body`.
func withStrArray<R>(_ texts: [String], _ body: (UnsafePointer<authcode_str>?, Int) throws -> R) rethrows -> R {
    var packed = [UInt8]()
    var ranges = [(offset: Int, count: Int)]()
    for text in texts {
        let utf8 = Array(text.utf8)
        ranges.append((offset: packed.count, count: utf8.count))
        packed.append(contentsOf: utf8)
    }
    return try packed.withUnsafeBufferPointer { (storage: UnsafeBufferPointer<UInt8>) throws -> R in
        var views = [authcode_str]()
        for range in ranges {
            let start: UnsafePointer<UInt8>? = storage.baseAddress.map { base in base + range.offset }
            views.append(authcode_str(ptr: start, len: range.count))
        }
        return try views.withUnsafeBufferPointer { (array: UnsafeBufferPointer<authcode_str>) throws -> R in
            try body(array.baseAddress, array.count)
        }
    }
}

/// The shape of every `(buf, len, out_len)` C call.
typealias FillCall = (UnsafeMutablePointer<UInt8>?, Int, UnsafeMutablePointer<Int>) -> UInt32

/// Calls a `(buf, len, out_len)` C function with a buffer of `capacity` bytes and, on
/// BUFFER_TOO_SMALL, once more with the size it asks for. Returns the result and, on
/// success, the bytes written.
func callFilling(capacity: Int, _ call: FillCall) -> (result: UInt32, bytes: [UInt8]) {
    let first = callFillingOnce(capacity: capacity, call)
    if first.result == ResultCode.bufferTooSmall.rawValue && first.needed > capacity {
        let second = callFillingOnce(capacity: first.needed, call)
        return (second.result, second.bytes)
    }
    return (first.result, first.bytes)
}

/// One `(buf, len, out_len)` call; `needed` is `*out_len` as the call left it.
func callFillingOnce(capacity: Int, _ call: FillCall) -> (result: UInt32, bytes: [UInt8], needed: Int) {
    var buffer = [UInt8](repeating: 0, count: max(capacity, 0))
    var written = 0
    let result: UInt32 = buffer.withUnsafeMutableBufferPointer { (storage: inout UnsafeMutableBufferPointer<UInt8>) -> UInt32 in
        withUnsafeMutablePointer(to: &written) { (outLen: UnsafeMutablePointer<Int>) -> UInt32 in
            call(storage.baseAddress, storage.count, outLen)
        }
    }
    guard result == ResultCode.ok.rawValue else { return (result, [], written) }
    return (result, Array(buffer.prefix(min(max(written, 0), buffer.count))), written)
}

/// A copy of the text `view` points to, or nil when absent. Call it only while the memory
/// it points into is valid (inside the closure of the call that produced it).
func copyText(_ view: authcode_str) -> String? {
    guard let pointer = view.ptr else { return nil }
    return String(decoding: UnsafeBufferPointer(start: pointer, count: view.len), as: UTF8.self)
}

/// A copy of the bytes `view` points to, or nil when absent (same rule as `copyText`).
func copyData(_ view: authcode_str) -> Data? {
    guard let pointer = view.ptr else { return nil }
    return Data(bytes: pointer, count: view.len)
}

/// The text in the first `length` bytes of a fixed C array (imported as a tuple).
func tupleText<T>(_ tuple: T, length: Int) -> String {
    var copy = tuple
    return withUnsafeBytes(of: &copy) { (raw: UnsafeRawBufferPointer) -> String in
        String(decoding: raw.prefix(min(max(length, 0), raw.count)), as: UTF8.self)
    }
}

/// Whole seconds for the C API: negative or NaN is 0, beyond UInt64 is UInt64.max.
func clampedSeconds(_ seconds: Double) -> UInt64 {
    guard seconds.isFinite, seconds > 0 else { return seconds == .infinity ? UInt64.max : 0 }
    guard seconds < Double(UInt64.max) else { return UInt64.max }
    return UInt64(seconds)
}

/// Unix seconds of `date` for the C API (before 1970 is 0).
func unixSeconds(_ date: Date) -> UInt64 { clampedSeconds(date.timeIntervalSince1970) }

// MARK: - PKCE

/// PKCE helpers (RFC 7636, S256), from the operating system's randomness.
public enum Pkce {
    /// A fresh code verifier (43 to 128 characters) from the system's randomness.
    public static func generateVerifier(length: Int = 43) throws -> String {
        let (result, bytes) = callFilling(capacity: Int(AUTHCODE_PKCE_VERIFIER_MAX)) {
            authcode_pkce_generate(nil, length, $0, $1, $2)
        }
        try check(result)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The S256 challenge of a verifier.
    public static func challenge(of verifier: String) throws -> String {
        let (result, bytes) = withBytes(verifier) { (pointer: UnsafePointer<UInt8>?, count: Int) -> (result: UInt32, bytes: [UInt8]) in
            callFilling(capacity: Int(AUTHCODE_PKCE_CHALLENGE_LEN)) {
                authcode_pkce_challenge(pointer, count, $0, $1, $2)
            }
        }
        try check(result)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Whether the verifier matches the challenge (constant time); throws for malformed input.
    public static func verify(verifier: String, challenge: String) throws -> Bool {
        let result: UInt32 = withBytes(verifier) { (v: UnsafePointer<UInt8>?, vCount: Int) -> UInt32 in
            withBytes(challenge) { (c: UnsafePointer<UInt8>?, cCount: Int) -> UInt32 in
                authcode_pkce_verify(v, vCount, c, cCount)
            }
        }
        if result == ResultCode.verifierMismatch.rawValue { return false }
        try check(result)
        return true
    }
}

// MARK: - Client

/// An HTTP request to send, copied out of the C API's buffers. `authorization` and `body`
/// hold secrets: do not log them.
public struct HTTPRequest: Equatable {
    /// The method, "POST".
    public let method: String
    /// The endpoint URL.
    public let url: String
    /// The `Content-Type` header value.
    public let contentType: String
    /// The `Accept` header value.
    public let accept: String
    /// The `Authorization` header value, or nil.
    public let authorization: String?
    /// The body.
    public let body: Data

    /// Copies `raw`; call it only inside the closure whose buffer `raw` points into.
    init(copying raw: authcode_http_request) {
        method = copyText(raw.method) ?? "POST"
        url = copyText(raw.url) ?? ""
        contentType = copyText(raw.content_type) ?? ""
        accept = copyText(raw.accept) ?? ""
        authorization = copyText(raw.authorization)
        body = copyData(raw.body) ?? Data()
    }

    /// The request as a URLRequest (nil when `url` is not a URL).
    public var urlRequest: URLRequest? {
        guard let target = URL(string: url) else { return nil }
        var request = URLRequest(url: target)
        request.httpMethod = method
        request.setValue(contentType, forHTTPHeaderField: "Content-Type")
        request.setValue(accept, forHTTPHeaderField: "Accept")
        if let authorization = authorization { request.setValue(authorization, forHTTPHeaderField: "Authorization") }
        request.httpBody = body
        return request
    }
}

/// A client configuration. Adjust it with the setters, then start sessions from it; a
/// session copies what it needs.
public final class ClientConfig {
    let handle: OpaquePointer

    /// A configuration for `profile` with explicit endpoints (https, or http on loopback).
    public init(profile: Profile = .rfc, authorizationEndpoint: String, tokenEndpoint: String,
                clientID: String, redirectURI: String) throws {
        handle = try ClientConfig.make(profile: profile, authorizationEndpoint: authorizationEndpoint,
                                       tokenEndpoint: tokenEndpoint, clientID: clientID,
                                       redirectURI: redirectURI, workfrontDomain: nil)
    }

    /// A Workfront client for the organisation at `domain` (e.g. "acme.my.workfront.com");
    /// the endpoints are built from it.
    public init(workfrontDomain domain: String, clientID: String, redirectURI: String) throws {
        handle = try ClientConfig.make(profile: .workfront, authorizationEndpoint: nil, tokenEndpoint: nil,
                                       clientID: clientID, redirectURI: redirectURI, workfrontDomain: domain)
    }

    /// A configuration from the authorization server's metadata (an RFC 8414 document or an
    /// OpenID Connect provider configuration the app fetched). The document's `issuer` must
    /// equal `issuer` exactly; its endpoints must be https (http only on loopback); `S256`
    /// must be listed when methods are. A refusal throws `AuthcodeError` (`.invalidConfig`)
    /// whose detail names the member at fault.
    public init(metadata document: Data, issuer: String, clientID: String, redirectURI: String,
                profile: Profile = .rfc, clientSecret: String? = nil) throws {
        var created: OpaquePointer?
        var reason = [UInt8](repeating: 0, count: Int(AUTHCODE_LAST_ERROR_MAX))
        var reasonLength = 0
        let result: UInt32 = withBytes(document) { (bytes: UnsafePointer<UInt8>?, count: Int) -> UInt32 in
            withStr(issuer) { (issuerStr: authcode_str) -> UInt32 in
                withStr(clientID) { (client: authcode_str) -> UInt32 in
                    withStr(redirectURI) { (redirect: authcode_str) -> UInt32 in
                        withOptionalStr(clientSecret) { (secret: authcode_str) -> UInt32 in
                            var params = authcode_discovery_params(
                                profile: profile.rawValue, issuer: issuerStr, client_id: client,
                                redirect_uri: redirect, client_secret: secret)
                            return reason.withUnsafeMutableBufferPointer { (buffer: inout UnsafeMutableBufferPointer<UInt8>) -> UInt32 in
                                authcode_client_config_from_metadata(bytes, count, &params, buffer.baseAddress,
                                                                     buffer.count, &reasonLength, &created)
                            }
                        }
                    }
                }
            }
        }
        let detail = String(decoding: reason.prefix(reasonLength), as: UTF8.self)
        try check(result) { detail }
        guard let made = created else { throw AuthcodeError(rawCode: ResultCode.nullPointer.rawValue, detail: "") }
        handle = made
    }

    private static func make(profile: Profile, authorizationEndpoint: String?, tokenEndpoint: String?,
                             clientID: String, redirectURI: String, workfrontDomain: String?) throws -> OpaquePointer {
        var created: OpaquePointer?
        let result: UInt32 = withOptionalStr(authorizationEndpoint) { (authorization: authcode_str) -> UInt32 in
            withOptionalStr(tokenEndpoint) { (token: authcode_str) -> UInt32 in
                withStr(clientID) { (client: authcode_str) -> UInt32 in
                    withStr(redirectURI) { (redirect: authcode_str) -> UInt32 in
                        withOptionalStr(workfrontDomain) { (domain: authcode_str) -> UInt32 in
                            var params = authcode_client_config_params(
                                profile: profile.rawValue, authorization_endpoint: authorization,
                                token_endpoint: token, client_id: client, redirect_uri: redirect,
                                workfront_domain: domain)
                            return authcode_client_config_new(&params, &created)
                        }
                    }
                }
            }
        }
        // No object exists to hold a reason: the detail stays empty.
        try check(result)
        guard let handle = created else { throw AuthcodeError(rawCode: ResultCode.nullPointer.rawValue, detail: "") }
        return handle
    }

    deinit { authcode_client_config_free(handle) }

    /// Why the last failing call on this configuration failed (empty after a success).
    public func lastError() -> String {
        let (result, bytes) = callFilling(capacity: Int(AUTHCODE_LAST_ERROR_MAX)) {
            authcode_client_config_last_error(handle, $0, $1, $2)
        }
        return result == ResultCode.ok.rawValue ? String(decoding: bytes, as: UTF8.self) : ""
    }

    /// Requests a scope (space-separated).
    public func setScope(_ scope: String) throws {
        let result = withBytes(scope) { authcode_client_config_set_scope(handle, $0, $1) }
        try check(result, lastError)
    }

    /// Expects `iss` on redirects equal to this issuer (RFC 9207).
    public func setIssuer(_ issuer: String) throws {
        let result = withBytes(issuer) { authcode_client_config_set_issuer(handle, $0, $1) }
        try check(result, lastError)
    }

    /// Authenticates with `Authorization: Basic` and this secret (web apps). The library
    /// copies it and wipes its copy when the configuration is freed.
    public func setClientSecretBasic(_ secret: Data) throws {
        let result = withBytes(secret) { authcode_client_config_set_client_secret_basic(handle, $0, $1) }
        try check(result, lastError)
    }

    /// `setClientSecretBasic(_:)` with the secret as text.
    public func setClientSecretBasic(_ secret: String) throws { try setClientSecretBasic(Data(secret.utf8)) }

    /// Authenticates with `client_id` and `client_secret` in the body.
    public func setClientSecretPost(_ secret: Data) throws {
        let result = withBytes(secret) { authcode_client_config_set_client_secret_post(handle, $0, $1) }
        try check(result, lastError)
    }

    /// `setClientSecretPost(_:)` with the secret as text.
    public func setClientSecretPost(_ secret: String) throws { try setClientSecretPost(Data(secret.utf8)) }

    /// Sets the RFC 7009 revocation endpoint.
    public func setRevocationEndpoint(_ url: String) throws {
        let result = withBytes(url) { authcode_client_config_set_revocation_endpoint(handle, $0, $1) }
        try check(result, lastError)
    }

    /// Adds an authorization request parameter such as `prompt=login`.
    public func addAuthorizationParameter(name: String, value: String) throws {
        let result: UInt32 = withBytes(name) { (n: UnsafePointer<UInt8>?, nCount: Int) -> UInt32 in
            withBytes(value) { (v: UnsafePointer<UInt8>?, vCount: Int) -> UInt32 in
                authcode_client_config_add_authorization_parameter(handle, n, nCount, v, vCount)
            }
        }
        try check(result, lastError)
    }

    /// Overrides the token request body format.
    public func setBodyFormat(_ format: BodyFormat) throws {
        try check(authcode_client_config_set_body_format(handle, format.rawValue), lastError)
    }

    /// Seconds before expiry at which a refresh becomes due (default 60).
    public func setRefreshMargin(_ margin: TimeInterval) throws {
        try check(authcode_client_config_set_refresh_margin(handle, clampedSeconds(margin)), lastError)
    }

    /// Checks OpenID Connect ID tokens when the scope has `openid`: sessions send a nonce
    /// and answer the code exchange with `handleTokenResponse(status:body:jwkSet:now:)`.
    /// Needs an issuer (`setIssuer`, or discovery).
    public func checkIDTokens() throws {
        try check(authcode_client_config_check_id_tokens(handle), lastError)
    }
}

/// How the access token is presented and when it expires.
public struct SessionTokenInfo: Equatable {
    /// How to present the access token.
    public let tokenType: TokenType
    /// When it expires, or nil when the server did not say.
    public let expiresAt: Date?
}

/// A client session: one login and the grant it produces.
public final class Session {
    let handle: OpaquePointer

    /// Starts a login (a fresh PKCE verifier and state from the system's randomness).
    public init(config: ClientConfig, now: Date = Date()) throws {
        var created: OpaquePointer?
        try check(authcode_session_new(config.handle, nil, unixSeconds(now), &created))
        guard let handle = created else { throw AuthcodeError(rawCode: ResultCode.nullPointer.rawValue, detail: "") }
        self.handle = handle
    }

    deinit { authcode_session_free(handle) }

    /// Why the last failing call on this session failed, or the server's error and
    /// description (empty after a success). Reading it does not clear it.
    public func lastError() -> String {
        let (result, bytes) = callFilling(capacity: Int(AUTHCODE_LAST_ERROR_MAX)) {
            authcode_session_last_error(handle, $0, $1, $2)
        }
        return result == ResultCode.ok.rawValue ? String(decoding: bytes, as: UTF8.self) : ""
    }

    /// Where the session is in the flow.
    public func stage() throws -> Stage {
        var stage: UInt32 = 0
        try check(authcode_session_stage(handle, &stage), lastError)
        return try decode(stage, as: Stage.self)
    }

    /// The URL to open with ASWebAuthenticationSession.
    public func authorizeURL() throws -> String {
        let (result, bytes) = callFilling(capacity: 2048) { authcode_session_authorize_url(handle, $0, $1, $2) }
        try check(result, lastError)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Reads the callback (full URL, request target or query). Throws `.redirectRefused`
    /// (state, iss, duplicates) and leaves the session unchanged.
    public func handleRedirect(_ url: String) throws -> RedirectOutcome {
        var outcome: UInt32 = 0
        let result = withBytes(url) { authcode_session_on_redirect(handle, $0, $1, &outcome) }
        try check(result, lastError)
        return try decode(outcome, as: RedirectOutcome.self)
    }

    /// The token request that exchanges the code.
    public func tokenRequest() throws -> HTTPRequest {
        try request { authcode_session_token_request(handle, $0, $1, $2, $3) }
    }

    /// Reads the token endpoint's answer to the code exchange. On a throw the session is
    /// unchanged.
    public func handleTokenResponse(status: Int, body: Data, now: Date = Date()) throws -> TokenOutcome {
        var outcome: UInt32 = 0
        let time = unixSeconds(now)
        let result = withBytes(body) {
            authcode_session_on_token_response(handle, UInt16(clamping: status), $0, $1, time, &outcome)
        }
        try check(result, lastError)
        return try decode(outcome, as: TokenOutcome.self)
    }

    /// Reads the token endpoint's answer and checks its OpenID Connect ID token against
    /// `jwkSet` (the issuer's JWK Set document from `jwks_uri`): signature, iss, aud, azp,
    /// exp, iat, nonce. Throws `.idTokenRefused` (the last error names the check) and
    /// leaves the session waiting for the token.
    public func handleTokenResponse(status: Int, body: Data, jwkSet: Data, now: Date = Date()) throws -> TokenOutcome {
        var outcome: UInt32 = 0
        let time = unixSeconds(now)
        let result = withBytes(body) { (bodyPointer: UnsafePointer<UInt8>?, bodyLength: Int) -> UInt32 in
            withBytes(jwkSet) { (keysPointer: UnsafePointer<UInt8>?, keysLength: Int) -> UInt32 in
                authcode_session_on_token_response_verified(handle, UInt16(clamping: status), bodyPointer, bodyLength,
                                                            keysPointer, keysLength, time, &outcome)
            }
        }
        try check(result, lastError)
        return try decode(outcome, as: TokenOutcome.self)
    }

    /// The ID token `handleTokenResponse(status:body:jwkSet:now:)` checked, or nil (none
    /// checked, or the session was restored). Throws without tokens.
    public func idToken() throws -> String? {
        let (result, bytes) = callFilling(capacity: 4096) {
            authcode_session_id_token(handle, $0, $1, $2)
        }
        try check(result, lastError)
        return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self)
    }

    /// Whether a refresh is due at `now`.
    public func refreshDue(now: Date = Date()) throws -> Bool {
        var due = false
        try check(authcode_session_refresh_due(handle, unixSeconds(now), &due), lastError)
        return due
    }

    /// The refresh request; marks a refresh in flight until `handleRefreshResponse` or
    /// `cancelRefresh`.
    public func refreshRequest() throws -> HTTPRequest {
        try request { authcode_session_refresh_request(handle, $0, $1, $2, $3) }
    }

    /// Reads the answer to the refresh request. On a throw the session is unchanged.
    public func handleRefreshResponse(status: Int, body: Data, now: Date = Date()) throws -> RefreshOutcome {
        var outcome: UInt32 = 0
        let time = unixSeconds(now)
        let result = withBytes(body) {
            authcode_session_on_refresh_response(handle, UInt16(clamping: status), $0, $1, time, &outcome)
        }
        try check(result, lastError)
        return try decode(outcome, as: RefreshOutcome.self)
    }

    /// Forgets an in-flight refresh that will never be answered (the request failed).
    public func cancelRefresh() throws {
        try check(authcode_session_cancel_refresh(handle), lastError)
    }

    /// An RFC 7009 revocation request for the access or refresh token.
    public func revocationRequest(for kind: TokenKind) throws -> HTTPRequest {
        try request { authcode_session_revocation_request(handle, kind.rawValue, $0, $1, $2, $3) }
    }

    /// Ends the session: wipes its tokens or pending login.
    public func signOut() throws {
        try check(authcode_session_sign_out(handle), lastError)
    }

    /// The access token (throws `.wrongState` without tokens).
    public func accessToken() throws -> String {
        let (result, bytes) = callFilling(capacity: Int(AUTHCODE_ACCESS_TOKEN_MAX)) {
            authcode_session_access_token(handle, $0, $1, $2)
        }
        try check(result, lastError)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The subject (`sub`) the token response carried (Adobe IMS sends it), or nil when
    /// the server gave none (throws without tokens).
    public func subject() throws -> String? {
        let (result, bytes) = callFilling(capacity: 256) {
            authcode_session_subject(handle, $0, $1, $2)
        }
        try check(result, lastError)
        return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self)
    }

    /// The refresh token, or nil when the server issued none (throws without tokens).
    public func refreshToken() throws -> String? {
        let (result, bytes) = callFilling(capacity: Int(AUTHCODE_REFRESH_TOKEN_MAX)) {
            authcode_session_refresh_token(handle, $0, $1, $2)
        }
        if result == ResultCode.noRefreshToken.rawValue { return nil }
        try check(result, lastError)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The token type and the access token's expiry (throws `.wrongState` without tokens).
    public func tokenInfo() throws -> SessionTokenInfo {
        var presentation: UInt32 = 0
        var expires: UInt64 = 0
        try check(authcode_session_token_info(handle, &presentation, &expires), lastError)
        let tokenType = try decode(presentation, as: TokenType.self)
        let expiresAt: Date? = expires == 0 ? nil : Date(timeIntervalSince1970: TimeInterval(expires))
        return SessionTokenInfo(tokenType: tokenType, expiresAt: expiresAt)
    }

    /// The last OAuth error the server answered with (`OAuthErrorCode.none` when none).
    public func serverError() throws -> OAuthErrorCode {
        var code: UInt32 = 0
        try check(authcode_session_server_error(handle, &code), lastError)
        return OAuthErrorCode.from(code)
    }

    /// The saved session. It holds secrets: store it in the Keychain. Prefer `save(key:)`.
    public func save() throws -> Data {
        let (result, bytes) = callFilling(capacity: Int(AUTHCODE_SAVED_SESSION_MAX)) {
            authcode_session_save(handle, $0, $1, $2)
        }
        try check(result, lastError)
        return Data(bytes)
    }

    /// The saved session, authenticated with HMAC-SHA-256 under `key` (16...64 random
    /// bytes kept in the Keychain, apart from the saves). It restores only through
    /// `restore(_:key:)` with the same key.
    public func save(key: Data) throws -> Data {
        let (result, bytes) = withBytes(key) { (k: UnsafePointer<UInt8>?, kCount: Int) -> (result: UInt32, bytes: [UInt8]) in
            callFilling(capacity: Int(AUTHCODE_SAVED_SESSION_MAX)) {
                authcode_session_save_keyed(handle, k, kCount, $0, $1, $2)
            }
        }
        try check(result, lastError)
        return Data(bytes)
    }

    /// Replaces the state with a save from `save()` (this version or an earlier one). On
    /// failure (`.restoreFailed`) the session is unchanged.
    public func restore(_ saved: Data) throws {
        let result = withBytes(saved) { authcode_session_restore(handle, $0, $1) }
        try check(result, lastError)
    }

    /// Replaces the state with a save from `save(key:)` made with `key`. A changed save,
    /// another key or an unkeyed save throw (`.restoreFailed`, "not authenticated by the
    /// key given") and leave the session unchanged. To move an app to keyed saves, restore
    /// its old save once with `restore(_:)`, then save it with `save(key:)`.
    public func restore(_ saved: Data, key: Data) throws {
        let result: UInt32 = withBytes(key) { (k: UnsafePointer<UInt8>?, kCount: Int) -> UInt32 in
            withBytes(saved) { (s: UnsafePointer<UInt8>?, sCount: Int) -> UInt32 in
                authcode_session_restore_keyed(handle, k, kCount, s, sCount)
            }
        }
        try check(result, lastError)
    }

    /// The shape of the C calls that write an HTTP request.
    typealias RequestCall = (UnsafeMutablePointer<UInt8>?, Int, UnsafeMutablePointer<Int>,
                             UnsafeMutablePointer<authcode_http_request>) -> UInt32

    /// Calls `build` with a buffer (grown once if it asks) and copies the request out
    /// inside the buffer's closure: its fields point into the buffer and the session.
    private func request(_ build: RequestCall) throws -> HTTPRequest {
        var capacity = 2048
        for _ in 0..<2 {
            var needed = 0
            var copied: HTTPRequest?
            var buffer = [UInt8](repeating: 0, count: capacity)
            let status: UInt32 = buffer.withUnsafeMutableBufferPointer { (storage: inout UnsafeMutableBufferPointer<UInt8>) -> UInt32 in
                withUnsafeMutablePointer(to: &needed) { (outLen: UnsafeMutablePointer<Int>) -> UInt32 in
                    var raw = authcode_http_request()
                    let code: UInt32 = withUnsafeMutablePointer(to: &raw) { (out: UnsafeMutablePointer<authcode_http_request>) -> UInt32 in
                        let written = build(storage.baseAddress, storage.count, outLen, out)
                        if written == ResultCode.ok.rawValue { copied = HTTPRequest(copying: out.pointee) }
                        return written
                    }
                    return code
                }
            }
            if status == ResultCode.bufferTooSmall.rawValue && needed > capacity {
                capacity = needed
                continue
            }
            try check(status, lastError)
            if let built = copied { return built }
            throw AuthcodeError(rawCode: ResultCode.nullPointer.rawValue, detail: "no request was written")
        }
        throw AuthcodeError(rawCode: ResultCode.bufferTooSmall.rawValue, detail: lastError())
    }
}

// MARK: - Machine-to-machine

/// A JWS signing key for JWT grants: a P-256 or Ed25519 private key the core holds during
/// each call (the copy here is wiped in deinit), or the host's own signing function — a
/// Secure Enclave / Keychain key (`SecKeyCreateSignature` with
/// `.ecdsaSignatureMessageX962SHA256`: DER is accepted) or an HSM.
public final class Signer {
    /// Signs a JWS signing input: the signature (RS256: PKCS#1 v1.5; ES256: 64-byte r||s or
    /// DER; EdDSA: 64 bytes), or nil when the key is unavailable.
    public typealias SignFunction = (Data) -> Data?

    let algorithm: JWSAlgorithm
    let keyID: String?
    var privateKey: Data
    let sign: SignFunction?

    /// A P-256 private scalar (32 bytes) held by the core; copied (the copy is wiped in
    /// deinit; wipe yours).
    public init(es256PrivateKey key: Data, keyID: String? = nil) {
        algorithm = .es256
        self.keyID = keyID
        privateKey = Data([UInt8](key))
        sign = nil
    }

    /// An Ed25519 seed (32 bytes) held by the core; copied (the copy is wiped in deinit;
    /// wipe yours).
    public init(ed25519Seed seed: Data, keyID: String? = nil) {
        algorithm = .eddsa
        self.keyID = keyID
        privateKey = Data([UInt8](seed))
        sign = nil
    }

    /// The host's key of `algorithm`, signing through `sign` (called on the calling
    /// thread, during the request call only; it must not call the CredentialsClient that
    /// is using it — the C API forbids re-entry).
    public init(algorithm: JWSAlgorithm, keyID: String? = nil, sign: @escaping SignFunction) {
        self.algorithm = algorithm
        self.keyID = keyID
        privateKey = Data()
        self.sign = sign
    }

    deinit { privateKey.resetBytes(in: 0..<privateKey.count) }

    /// The public JWK of a key the core holds, to register with the server; throws
    /// `.invalidArgument` for the host's key.
    public func publicJWK() throws -> String {
        var result: UInt32 = 0
        var bytes = [UInt8]()
        withRaw { (signer: UnsafePointer<authcode_signer>) in
            (result, bytes) = callFilling(capacity: 256) { authcode_signer_public_jwk(signer, $0, $1, $2) }
        }
        try check(result)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Runs `body` with a C view of this signer, valid only inside `body`.
    func withRaw<R>(_ body: (UnsafePointer<authcode_signer>) throws -> R) rethrows -> R {
        try withOptionalStr(keyID) { (kid: authcode_str) throws -> R in
            try withStr(privateKey) { (key: authcode_str) throws -> R in
                var raw = authcode_signer()
                raw.algorithm = algorithm.rawValue
                raw.key_id = kid
                if sign != nil {
                    raw.private_key = authcode_str(ptr: nil, len: 0)
                    raw.context = Unmanaged.passUnretained(self).toOpaque()
                    raw.sign = signerTrampoline
                } else {
                    raw.private_key = key
                    raw.context = nil
                    raw.sign = nil
                }
                return try withUnsafePointer(to: &raw) { (pointer: UnsafePointer<authcode_signer>) throws -> R in
                    try body(pointer)
                }
            }
        }
    }
}

/// The C callback behind `Signer(algorithm:keyID:sign:)`: `context` is the Signer, alive
/// for the call that passed it.
private let signerTrampoline: @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<UInt8>?, Int,
                                              UnsafeMutablePointer<UInt8>?, Int, UnsafeMutablePointer<Int>?) -> Int32 = {
    context, input, inputLength, signature, capacity, signatureLength in
    guard let context = context, let signature = signature, let signatureLength = signatureLength else { return -1 }
    let signer = Unmanaged<Signer>.fromOpaque(context).takeUnretainedValue()
    let message = input.map { Data(bytes: $0, count: inputLength) } ?? Data()
    guard let sign = signer.sign, let signed = sign(message), signed.count <= capacity else { return -1 }
    signed.copyBytes(to: signature, count: signed.count)
    signatureLength.pointee = signed.count
    return 0
}

/// What a JWT grant asserts.
public struct JWTGrant: Equatable {
    /// `sub`: the user the token acts for.
    public var subject: String
    /// `aud` (RFC 7523 requires it: the server's issuer or token endpoint URL).
    public var audience: String?
    /// `iss` when it is not the client id (Workfront: the customer id).
    public var issuer: String?
    /// Seconds from `iat` to `exp` (0: 300).
    public var lifetime: TimeInterval
    /// Workfront's exchange body instead of RFC 7523's.
    public var workfront: Bool

    /// A grant for `subject`.
    public init(subject: String, audience: String? = nil, issuer: String? = nil, lifetime: TimeInterval = 0,
                workfront: Bool = false) {
        self.subject = subject
        self.audience = audience
        self.issuer = issuer
        self.lifetime = lifetime
        self.workfront = workfront
    }
}

/// A machine-to-machine client: the client credentials grant and JWT grants, with the
/// token cached until it is due.
public final class CredentialsClient {
    let handle: OpaquePointer

    /// A client of `tokenEndpoint` with its id and secret.
    public init(profile: Profile = .rfc, tokenEndpoint: String, clientID: String, clientSecret: String,
                auth: CredentialsAuth = .basic) throws {
        var created: OpaquePointer?
        let result = withStr(tokenEndpoint) { (endpoint: authcode_str) -> UInt32 in
            withStr(clientID) { (id: authcode_str) -> UInt32 in
                withStr(clientSecret) { (secret: authcode_str) -> UInt32 in
                    var params = authcode_credentials_params()
                    params.profile = profile.rawValue
                    params.token_endpoint = endpoint
                    params.client_id = id
                    params.client_secret = secret
                    params.auth = auth.rawValue
                    return authcode_credentials_client_new(&params, &created)
                }
            }
        }
        try check(result)
        guard let handle = created else { throw AuthcodeError(rawCode: ResultCode.nullPointer.rawValue, detail: "") }
        self.handle = handle
    }

    /// The client of a confidential configuration (throws `.invalidConfig` for a public one).
    public init(config: ClientConfig) throws {
        var created: OpaquePointer?
        try check(authcode_credentials_client_from_config(config.handle, &created))
        guard let handle = created else { throw AuthcodeError(rawCode: ResultCode.nullPointer.rawValue, detail: "") }
        self.handle = handle
    }

    deinit { authcode_credentials_client_free(handle) }

    /// Why the last failing call failed, or the server's error (empty after a success).
    public func lastError() -> String {
        let (result, bytes) = callFilling(capacity: Int(AUTHCODE_LAST_ERROR_MAX)) {
            authcode_credentials_client_last_error(handle, $0, $1, $2)
        }
        return result == ResultCode.ok.rawValue ? String(decoding: bytes, as: UTF8.self) : ""
    }

    /// Asks for `scope`; a cached token of another scope is dropped.
    public func setScope(_ scope: String) throws {
        try check(withBytes(scope) { authcode_credentials_client_set_scope(handle, $0, $1) }, lastError)
    }

    /// The client credentials token request.
    public func tokenRequest() throws -> HTTPRequest {
        try request(capacity: 2048) { authcode_credentials_client_token_request(handle, $0, $1, $2, $3) }
    }

    /// A JWT grant request signed by `signer` (system randomness for the jti).
    public func jwtGrantRequest(_ grant: JWTGrant, signer: Signer, now: Date = Date()) throws -> HTTPRequest {
        let time = unixSeconds(now)
        let lifetime = clampedSeconds(grant.lifetime)
        return try withStr(grant.subject) { (subject: authcode_str) throws -> HTTPRequest in
            try withOptionalStr(grant.audience) { (audience: authcode_str) throws -> HTTPRequest in
                try withOptionalStr(grant.issuer) { (issuer: authcode_str) throws -> HTTPRequest in
                    var raw = authcode_jwt_grant()
                    raw.subject = subject
                    raw.audience = audience
                    raw.issuer = issuer
                    raw.lifetime_seconds = lifetime
                    raw.workfront = grant.workfront
                    return try signer.withRaw { (c: UnsafePointer<authcode_signer>) throws -> HTTPRequest in
                        try withUnsafePointer(to: &raw) { (g: UnsafePointer<authcode_jwt_grant>) throws -> HTTPRequest in
                            try request(capacity: 8192) {
                                authcode_credentials_client_jwt_grant_request(handle, g, c, nil, time, $0, $1, $2, $3)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Reads the answer to a token or JWT grant request; an issued token is cached.
    public func handleTokenResponse(status: Int, body: Data, now: Date = Date()) throws -> CredentialsOutcome {
        var outcome: UInt32 = 0
        let time = unixSeconds(now)
        let result = withBytes(body) {
            authcode_credentials_client_on_token_response(handle, UInt16(clamping: status), $0, $1, time, &outcome)
        }
        try check(result, lastError)
        return try decode(outcome, as: CredentialsOutcome.self)
    }

    /// The cached access token while it is not due at `now`, else nil.
    public func accessToken(now: Date = Date()) throws -> String? {
        let time = unixSeconds(now)
        let (result, bytes) = callFilling(capacity: Int(AUTHCODE_ACCESS_TOKEN_MAX)) {
            authcode_credentials_client_access_token(handle, time, $0, $1, $2)
        }
        if result == ResultCode.wrongState.rawValue { return nil }
        try check(result, lastError)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Drops the cached token (call it when a resource server answers 401).
    public func forgetToken() throws {
        try check(authcode_credentials_client_forget_token(handle), lastError)
    }

    /// The OAuth error of the last refused answer (`.none` if none).
    public func serverError() throws -> OAuthErrorCode {
        var code: UInt32 = 0
        try check(authcode_credentials_client_server_error(handle, &code), lastError)
        return OAuthErrorCode(rawValue: code) ?? .other
    }

    /// The shape of the C calls that write an HTTP request.
    typealias RequestCall = (UnsafeMutablePointer<UInt8>?, Int, UnsafeMutablePointer<Int>,
                             UnsafeMutablePointer<authcode_http_request>) -> UInt32

    /// Calls `build` with a buffer (grown once if it asks) and copies the request out
    /// inside the buffer's closure.
    private func request(capacity initial: Int, _ build: RequestCall) throws -> HTTPRequest {
        var capacity = initial
        for _ in 0..<2 {
            var needed = 0
            var copied: HTTPRequest?
            var buffer = [UInt8](repeating: 0, count: capacity)
            let status: UInt32 = buffer.withUnsafeMutableBufferPointer { (storage: inout UnsafeMutableBufferPointer<UInt8>) -> UInt32 in
                withUnsafeMutablePointer(to: &needed) { (outLen: UnsafeMutablePointer<Int>) -> UInt32 in
                    var raw = authcode_http_request()
                    let code: UInt32 = withUnsafeMutablePointer(to: &raw) { (out: UnsafeMutablePointer<authcode_http_request>) -> UInt32 in
                        let written = build(storage.baseAddress, storage.count, outLen, out)
                        if written == ResultCode.ok.rawValue { copied = HTTPRequest(copying: out.pointee) }
                        return written
                    }
                    return code
                }
            }
            if status == ResultCode.bufferTooSmall.rawValue && needed > capacity {
                capacity = needed
                continue
            }
            try check(status, lastError)
            if let built = copied { return built }
            throw AuthcodeError(rawCode: ResultCode.nullPointer.rawValue, detail: "no request was written")
        }
        throw AuthcodeError(rawCode: ResultCode.bufferTooSmall.rawValue, detail: lastError())
    }
}

// MARK: - Server

/// What an app is created or updated from.
public struct AppSpec: Equatable {
    /// Display name.
    public var name: String
    /// The kind of app.
    public var kind: AppKind
    /// Redirect URIs (at most 4).
    public var redirectURIs: [String]
    /// Public keys: JWKs, public key PEMs or certificate PEMs (machine-to-machine and web
    /// apps, at most 4).
    public var publicKeys: [String]
    /// Rotate refresh tokens at every use.
    public var rotation: Bool
    /// Absolute refresh lifetime; nil: no expiration.
    public var absoluteLifetime: TimeInterval?
    /// Inactivity refresh lifetime; nil: no expiration.
    public var inactivityLifetime: TimeInterval?
    /// Web apps: require PKCE (recommended). Public apps always require it.
    public var requirePKCE: Bool
    /// Web apps: also allow the client credentials grant (machine-to-machine apps always may).
    public var clientCredentials: Bool
    /// The scope the app may be granted without a user (client credentials); empty: none.
    public var scope: String

    /// A spec; the defaults rotate refresh tokens, never expire them, and require PKCE.
    public init(name: String, kind: AppKind, redirectURIs: [String], publicKeys: [String] = [],
                rotation: Bool = true, absoluteLifetime: TimeInterval? = nil,
                inactivityLifetime: TimeInterval? = nil, requirePKCE: Bool = true,
                clientCredentials: Bool = false, scope: String = "") {
        self.name = name
        self.kind = kind
        self.redirectURIs = redirectURIs
        self.publicKeys = publicKeys
        self.rotation = rotation
        self.absoluteLifetime = absoluteLifetime
        self.inactivityLifetime = inactivityLifetime
        self.requirePKCE = requirePKCE
        self.clientCredentials = clientCredentials
        self.scope = scope
    }
}

/// A registered app: its client id and, for a web app, its secret (shown this once; only its
/// digest is kept).
public struct CreatedApp: Equatable {
    /// The client id (32 characters).
    public let clientID: String
    /// The client secret (43 bytes of text) for web apps, else nil. Store it as a secret.
    public let clientSecret: Data?
}

/// A second client secret and the slot to delete it by.
public struct AddedSecret: Equatable {
    /// The slot, 0 or 1.
    public let slot: UInt32
    /// The secret (shown this once).
    public let secret: Data
}

/// The redirect answering an authorization request.
public struct AuthorizationRedirect: Equatable {
    /// The URL for the `Location` header.
    public let location: String
    /// `OAuthErrorCode.none` when it carries a code, else the error it carries.
    public let error: OAuthErrorCode
    /// True when the redirect carries a code.
    public var carriesCode: Bool { error == OAuthErrorCode.none }
}

/// A request to the token or revocation endpoint as the HTTP layer saw it.
public struct TokenEndpointRequest: Equatable {
    /// The HTTP method.
    public var method: String
    /// The `Content-Type` header, or nil.
    public var contentType: String?
    /// The `Authorization` header, or nil.
    public var authorization: String?
    /// The body.
    public var body: Data

    /// A request from its parts.
    public init(method: String = "POST", contentType: String?, authorization: String?, body: Data) {
        self.method = method
        self.contentType = contentType
        self.authorization = authorization
        self.body = body
    }

    /// The request a client session built (for in-process use and tests).
    public init(_ request: HTTPRequest) {
        self.init(method: request.method, contentType: request.contentType,
                  authorization: request.authorization, body: request.body)
    }
}

/// The response to send. Always send `Content-Type: application/json`,
/// `Cache-Control: no-store` and `Pragma: no-cache` with it.
public struct TokenEndpointResponse: Equatable {
    /// HTTP status.
    public let status: Int
    /// The `WWW-Authenticate` value, or nil.
    public let wwwAuthenticate: String?
    /// The JSON body (tokens: a secret).
    public let body: Data

    /// Copies `raw`; call it only inside the closure whose buffer `raw` points into.
    init(copying raw: authcode_token_response) {
        status = Int(raw.status)
        wwwAuthenticate = copyText(raw.www_authenticate)
        body = copyData(raw.body) ?? Data()
    }
}

/// What `Server.validate` reports for a valid access token.
public struct AccessTokenInfo: Equatable {
    /// The client id.
    public let clientID: String
    /// The subject (the user).
    public let subject: String
    /// The scope.
    public let scope: String
    /// When the token expires.
    public let expiresAt: Date

    init(_ raw: authcode_token_info) {
        clientID = tupleText(raw.client_id, length: raw.client_id_len)
        subject = tupleText(raw.subject, length: raw.subject_len)
        scope = tupleText(raw.scope, length: raw.scope_len)
        expiresAt = Date(timeIntervalSince1970: TimeInterval(raw.expires_at))
    }
}

/// What one app holds in the server's tables, and its quotas.
public struct AppUsage: Equatable {
    /// Pending codes (expired ones not yet reclaimed included).
    public let codes: UInt32
    /// Grants (expired ones not yet reclaimed included).
    public let grants: UInt32
    /// The app's quota of pending codes.
    public let codesQuota: UInt32
    /// The app's quota of grants.
    public let grantsQuota: UInt32
}

/// An embedded authorization server: the app registry and the code, grant and token tables,
/// in memory. Lock around a server shared between threads.
public final class Server {
    let handle: OpaquePointer

    /// A server for `profile` with an empty registry.
    public init(profile: Profile = .rfc) throws {
        var created: OpaquePointer?
        try check(authcode_server_new(profile.rawValue, &created))
        guard let handle = created else { throw AuthcodeError(rawCode: ResultCode.nullPointer.rawValue, detail: "") }
        self.handle = handle
    }

    deinit { authcode_server_free(handle) }

    /// Why the last failing call on this server failed (empty after a success).
    public func lastError() -> String {
        let (result, bytes) = callFilling(capacity: Int(AUTHCODE_LAST_ERROR_MAX)) {
            authcode_server_last_error(handle, $0, $1, $2)
        }
        return result == ResultCode.ok.rawValue ? String(decoding: bytes, as: UTF8.self) : ""
    }

    // Configuration.

    /// Announces `issuer` as `iss` on redirects (RFC 9207).
    public func setIssuer(_ issuer: String) throws {
        let result = withBytes(issuer) { authcode_server_set_issuer(handle, $0, $1) }
        try check(result, lastError)
    }

    /// Sets Workfront's `domain`, `lane` (on redirects) and `wid` (in token responses).
    public func setWorkfrontIdentity(domain: String, lane: String, wid: String) throws {
        let result: UInt32 = withStr(domain) { (d: authcode_str) -> UInt32 in
            withStr(lane) { (l: authcode_str) -> UInt32 in
                withStr(wid) { (w: authcode_str) -> UInt32 in
                    authcode_server_set_workfront_identity(handle, d, l, w)
                }
            }
        }
        try check(result, lastError)
    }

    /// Code and access token lifetimes (0 keeps the current value).
    public func setLifetimes(code: TimeInterval, accessToken: TimeInterval) throws {
        try check(authcode_server_set_lifetimes(handle, clampedSeconds(code), clampedSeconds(accessToken)), lastError)
    }

    /// How the tables are shared: per-app quotas (0: the default share) and pending codes
    /// per subject (1 to 8).
    public func setQuotas(codesPerApp: UInt32, grantsPerApp: UInt32, codesPerSubject: UInt8) throws {
        try check(authcode_server_set_quotas(handle, codesPerApp, grantsPerApp, codesPerSubject), lastError)
    }

    /// Live access tokens per grant (1 to 4, default 2).
    public func setAccessTokensPerGrant(_ count: UInt8) throws {
        try check(authcode_server_set_access_tokens_per_grant(handle, count), lastError)
    }

    /// The refresh grace window (0 = off, the default; at most 60 seconds).
    public func setRefreshGrace(_ grace: TimeInterval) throws {
        try check(authcode_server_set_refresh_grace(handle, clampedSeconds(grace)), lastError)
    }

    // Registry.

    /// Runs `body` with a C view of `spec`, valid only inside `body`.
    private func withAppSpec<R>(_ spec: AppSpec, _ body: (UnsafePointer<authcode_app_spec>) throws -> R) rethrows -> R {
        try withStr(spec.name) { (name: authcode_str) throws -> R in
            try withStrArray(spec.redirectURIs) { (uris: UnsafePointer<authcode_str>?, uriCount: Int) throws -> R in
                try withStrArray(spec.publicKeys) { (keys: UnsafePointer<authcode_str>?, keyCount: Int) throws -> R in
                  try withStr(spec.scope) { (scope: authcode_str) throws -> R in
                    var raw = authcode_app_spec()
                    raw.name = name
                    raw.kind = spec.kind.rawValue
                    raw.redirect_uris = uris
                    raw.redirect_uri_count = uriCount
                    raw.public_keys = keys
                    raw.public_key_count = keyCount
                    raw.rotation = spec.rotation
                    raw.absolute_lifetime = spec.absoluteLifetime.map(clampedSeconds) ?? 0
                    raw.inactivity_lifetime = spec.inactivityLifetime.map(clampedSeconds) ?? 0
                    raw.require_pkce = spec.requirePKCE
                    raw.client_credentials = spec.clientCredentials
                    raw.scope = scope
                    return try withUnsafePointer(to: &raw) { (pointer: UnsafePointer<authcode_app_spec>) throws -> R in
                        try body(pointer)
                    }
                  }
                }
            }
        }
    }

    /// Registers an app.
    public func createApp(_ spec: AppSpec) throws -> CreatedApp {
        var clientID = [UInt8](repeating: 0, count: Int(AUTHCODE_CLIENT_ID_LEN))
        var secret = [UInt8](repeating: 0, count: Int(AUTHCODE_CLIENT_SECRET_LEN))
        var clientIDLength = 0
        var secretLength = 0
        let result: UInt32 = withAppSpec(spec) { (specPointer: UnsafePointer<authcode_app_spec>) -> UInt32 in
            clientID.withUnsafeMutableBufferPointer { (idBuffer: inout UnsafeMutableBufferPointer<UInt8>) -> UInt32 in
                secret.withUnsafeMutableBufferPointer { (secretBuffer: inout UnsafeMutableBufferPointer<UInt8>) -> UInt32 in
                    authcode_server_create_app(handle, specPointer, nil, idBuffer.baseAddress, idBuffer.count,
                                               &clientIDLength, secretBuffer.baseAddress, secretBuffer.count, &secretLength)
                }
            }
        }
        try check(result, lastError)
        let id = String(decoding: clientID.prefix(min(clientIDLength, clientID.count)), as: UTF8.self)
        let issued: Data? = secretLength > 0 ? Data(secret.prefix(min(secretLength, secret.count))) : nil
        return CreatedApp(clientID: id, clientSecret: issued)
    }

    /// Replaces an app's settings (its kind, client id and secret stay).
    public func updateApp(clientID: String, spec: AppSpec) throws {
        let result: UInt32 = withAppSpec(spec) { (specPointer: UnsafePointer<authcode_app_spec>) -> UInt32 in
            withBytes(clientID) { (id: UnsafePointer<UInt8>?, idCount: Int) -> UInt32 in
                authcode_server_update_app(handle, id, idCount, specPointer)
            }
        }
        try check(result, lastError)
    }

    /// Deletes an app; every code and token it holds stops working at once.
    public func deleteApp(clientID: String) throws {
        let result = withBytes(clientID) { authcode_server_delete_app(handle, $0, $1) }
        try check(result, lastError)
    }

    /// The number of registered apps.
    public func appCount() throws -> Int {
        var count = 0
        try check(authcode_server_app_count(handle, &count), lastError)
        return count
    }

    /// What the app holds in the tables, and its quotas.
    public func appUsage(clientID: String) throws -> AppUsage {
        var usage = authcode_app_usage()
        let result = withBytes(clientID) { authcode_server_app_usage(handle, $0, $1, &usage) }
        try check(result, lastError)
        return AppUsage(codes: usage.codes, grants: usage.grants, codesQuota: usage.codes_quota,
                        grantsQuota: usage.grants_quota)
    }

    /// Gives a web app a new secret (shown this once); the old one stops working at once.
    public func rotateSecret(clientID: String) throws -> Data {
        let (result, bytes) = withBytes(clientID) { (id: UnsafePointer<UInt8>?, idCount: Int) -> (result: UInt32, bytes: [UInt8]) in
            callFilling(capacity: Int(AUTHCODE_CLIENT_SECRET_LEN)) {
                authcode_server_rotate_secret(handle, id, idCount, nil, $0, $1, $2)
            }
        }
        try check(result, lastError)
        return Data(bytes)
    }

    /// Gives a web app a new secret (shown this once); its other secrets keep working for
    /// `overlap` more (at most a day), and with `endGrants` every grant of the app ends.
    public func rotateSecret(clientID: String, overlap: TimeInterval, endGrants: Bool, now: Date = Date()) throws -> Data {
        let time = unixSeconds(now)
        let overlapSeconds = clampedSeconds(overlap)
        let (result, bytes) = withBytes(clientID) { (id: UnsafePointer<UInt8>?, idCount: Int) -> (result: UInt32, bytes: [UInt8]) in
            callFilling(capacity: Int(AUTHCODE_CLIENT_SECRET_LEN)) {
                authcode_server_rotate_secret_with(handle, id, idCount, overlapSeconds, endGrants, time, nil, $0, $1, $2)
            }
        }
        try check(result, lastError)
        return Data(bytes)
    }

    /// Adds a second secret to a web app (shown this once); the existing one keeps working.
    public func addSecret(clientID: String, now: Date = Date()) throws -> AddedSecret {
        let time = unixSeconds(now)
        var slot: UInt32 = 0
        let (result, bytes) = withBytes(clientID) { (id: UnsafePointer<UInt8>?, idCount: Int) -> (result: UInt32, bytes: [UInt8]) in
            callFilling(capacity: Int(AUTHCODE_CLIENT_SECRET_LEN)) {
                authcode_server_add_secret(handle, id, idCount, time, nil, $0, $1, $2, &slot)
            }
        }
        try check(result, lastError)
        return AddedSecret(slot: slot, secret: Data(bytes))
    }

    /// Deletes the web app's secret in `slot`; the app's last live secret cannot be deleted.
    public func deleteSecret(clientID: String, slot: UInt32, now: Date = Date()) throws {
        let time = unixSeconds(now)
        let result = withBytes(clientID) { authcode_server_delete_secret(handle, $0, $1, slot, time) }
        try check(result, lastError)
    }

    // The endpoints.

    /// Answers an authorization request (the query of the authorize URL) for `subject`
    /// (signed in, consented). Throws `.authorizeRefused` when the client or redirect URI
    /// is not trusted: show `detail` to the user instead of redirecting.
    public func authorize(query: String, subject: String, now: Date = Date()) throws -> AuthorizationRedirect {
        let time = unixSeconds(now)
        var error: UInt32 = 0
        let (result, bytes) = withBytes(query) { (q: UnsafePointer<UInt8>?, qCount: Int) -> (result: UInt32, bytes: [UInt8]) in
            withBytes(subject) { (s: UnsafePointer<UInt8>?, sCount: Int) -> (result: UInt32, bytes: [UInt8]) in
                callFilling(capacity: 2048) {
                    authcode_server_authorize(handle, q, qCount, s, sCount, time, nil, $0, $1, $2, &error)
                }
            }
        }
        try check(result, lastError)
        return AuthorizationRedirect(location: String(decoding: bytes, as: UTF8.self), error: OAuthErrorCode.from(error))
    }

    /// Answers an authorization request the user declined (`error=access_denied`).
    public func deny(query: String) throws -> AuthorizationRedirect {
        var error: UInt32 = 0
        let (result, bytes) = withBytes(query) { (q: UnsafePointer<UInt8>?, qCount: Int) -> (result: UInt32, bytes: [UInt8]) in
            callFilling(capacity: 2048) {
                authcode_server_deny(handle, q, qCount, $0, $1, $2, &error)
            }
        }
        try check(result, lastError)
        return AuthorizationRedirect(location: String(decoding: bytes, as: UTF8.self), error: OAuthErrorCode.from(error))
    }

    /// The shape of the C calls that answer a token-endpoint request.
    typealias RespondCall = (UnsafePointer<authcode_token_request>, UnsafeMutablePointer<UInt8>?, Int,
                             UnsafeMutablePointer<authcode_token_response>) -> UInt32

    /// Calls `call` with a C view of `request` and a response buffer, and copies the
    /// response out inside the buffer's closure (its body points into the buffer).
    private func respond(_ request: TokenEndpointRequest, _ call: RespondCall) throws -> TokenEndpointResponse {
        var copied: TokenEndpointResponse?
        var buffer = [UInt8](repeating: 0, count: max(Int(AUTHCODE_TOKEN_RESPONSE_MIN), 8192))
        let result: UInt32 = withStr(request.method) { (method: authcode_str) -> UInt32 in
            withOptionalStr(request.contentType) { (contentType: authcode_str) -> UInt32 in
                withOptionalStr(request.authorization) { (authorization: authcode_str) -> UInt32 in
                    withStr(request.body) { (body: authcode_str) -> UInt32 in
                        var raw = authcode_token_request(method: method, content_type: contentType,
                                                         authorization: authorization, body: body)
                        return withUnsafePointer(to: &raw) { (rawPointer: UnsafePointer<authcode_token_request>) -> UInt32 in
                            buffer.withUnsafeMutableBufferPointer { (storage: inout UnsafeMutableBufferPointer<UInt8>) -> UInt32 in
                                var response = authcode_token_response()
                                return withUnsafeMutablePointer(to: &response) { (out: UnsafeMutablePointer<authcode_token_response>) -> UInt32 in
                                    let answered = call(rawPointer, storage.baseAddress, storage.count, out)
                                    if answered == ResultCode.ok.rawValue { copied = TokenEndpointResponse(copying: out.pointee) }
                                    return answered
                                }
                            }
                        }
                    }
                }
            }
        }
        try check(result, lastError)
        if let response = copied { return response }
        throw AuthcodeError(rawCode: ResultCode.nullPointer.rawValue, detail: "no response was written")
    }

    /// Answers a token request (`authorization_code` and `refresh_token` grants): send the
    /// status, headers and body back as they are.
    public func token(_ request: TokenEndpointRequest, now: Date = Date()) throws -> TokenEndpointResponse {
        let time = unixSeconds(now)
        return try respond(request) { authcode_server_token(handle, $0, time, nil, $1, $2, $3) }
    }

    /// Answers an RFC 7009 revocation request.
    public func revoke(_ request: TokenEndpointRequest, now: Date = Date()) throws -> TokenEndpointResponse {
        let time = unixSeconds(now)
        return try respond(request) { authcode_server_revoke(handle, $0, time, $1, $2, $3) }
    }

    /// The token's owner and scope, or nil for an unknown, expired or revoked token
    /// (answer 401 with `invalid_token`).
    public func validate(accessToken: String, now: Date = Date()) throws -> AccessTokenInfo? {
        let time = unixSeconds(now)
        var info = authcode_token_info()
        let result = withBytes(accessToken) { authcode_server_validate(handle, $0, $1, time, &info) }
        if result == ResultCode.invalidToken.rawValue { return nil }
        try check(result, lastError)
        return AccessTokenInfo(info)
    }

    // Revocation and housekeeping.

    /// Revokes the grant a token belongs to; true when the token was known.
    public func revokeToken(_ token: String) throws -> Bool {
        var known = false
        let result = withBytes(token) { authcode_server_revoke_token(handle, $0, $1, &known) }
        try check(result, lastError)
        return known
    }

    /// Ends every grant of `subject` in every app ("sign out everywhere"); returns how many.
    public func revokeSubject(_ subject: String) throws -> Int {
        var count = 0
        let result = withBytes(subject) { authcode_server_revoke_subject(handle, $0, $1, &count) }
        try check(result, lastError)
        return count
    }

    /// Ends every grant of the app; returns how many.
    public func revokeAppGrants(clientID: String) throws -> Int {
        var count = 0
        let result = withBytes(clientID) { authcode_server_revoke_app_grants(handle, $0, $1, &count) }
        try check(result, lastError)
        return count
    }

    /// Removes expired codes and dead tokens now; returns how many.
    public func purgeExpired(now: Date = Date()) throws -> Int {
        var removed = 0
        try check(authcode_server_purge_expired(handle, unixSeconds(now), &removed), lastError)
        return removed
    }
}
