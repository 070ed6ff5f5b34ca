// An idiomatic Swift API over authcode's C ABI. Every failing call throws AuthcodeError,
// carrying the C result code and the object's last error text. Classes free their native
// handle in deinit. Use an object from one thread (or actor) at a time.
import CAuthcode
import Foundation

public struct AuthcodeError: Error, CustomStringConvertible {
    public let code: authcode_result
    public let detail: String
    public var description: String {
        let message = String(cString: authcode_result_message(Int32(bitPattern: code.rawValue)))
        return detail.isEmpty ? message : "\(message): \(detail)"
    }
}

@inline(__always)
private func check(_ result: authcode_result, _ detail: () -> String = { "" }) throws {
    if result != AUTHCODE_RESULT_OK { throw AuthcodeError(code: result, detail: detail()) }
}

/// Runs `body` with an `authcode_str` view of `text` (valid only inside `body`).
private func withStr<T>(_ text: String, _ body: (authcode_str) throws -> T) rethrows -> T {
    var text = text
    return try text.withUTF8 { bytes in try body(authcode_str(ptr: bytes.baseAddress, len: bytes.count)) }
}

/// Reads text from a `(buf, len, out_len)` C function, growing the buffer once if asked.
private func readText(_ initial: Int = 1024, _ fill: (UnsafeMutablePointer<UInt8>?, Int, UnsafeMutablePointer<Int>) -> authcode_result,
                      detail: () -> String = { "" }) throws -> String {
    var buffer = [UInt8](repeating: 0, count: initial)
    var length = 0
    var result = buffer.withUnsafeMutableBufferPointer { fill($0.baseAddress, $0.count, &length) }
    if result == AUTHCODE_RESULT_BUFFER_TOO_SMALL {
        buffer = [UInt8](repeating: 0, count: length)
        result = buffer.withUnsafeMutableBufferPointer { fill($0.baseAddress, $0.count, &length) }
    }
    try check(result, detail)
    return String(decoding: buffer[0..<length], as: UTF8.self)
}

private func string(_ s: authcode_str) -> String? {
    guard let pointer = s.ptr else { return nil }
    return String(decoding: UnsafeBufferPointer(start: pointer, count: s.len), as: UTF8.self)
}

public enum Pkce {
    /// A fresh code verifier (43 to 128 characters) from the system's randomness.
    public static func generateVerifier(length: Int = 43) throws -> String {
        try readText(256) { authcode_pkce_generate(nil, length, $0, $1, $2) }
    }

    /// The S256 challenge of a verifier.
    public static func challenge(of verifier: String) throws -> String {
        try withStr(verifier) { v in try readText(64) { authcode_pkce_challenge(v.ptr, v.len, $0, $1, $2) } }
    }

    /// Whether the verifier matches the challenge (constant time); throws for malformed input.
    public static func verify(verifier: String, challenge: String) throws -> Bool {
        let result = withStr(verifier) { v in withStr(challenge) { c in authcode_pkce_verify(v.ptr, v.len, c.ptr, c.len) } }
        if result == AUTHCODE_RESULT_VERIFIER_MISMATCH { return false }
        try check(result)
        return true
    }
}

/// An HTTP request to send with URLSession. `authorization` and `body` hold secrets.
public struct HTTPRequest {
    public let method: String
    public let url: String
    public let contentType: String
    public let accept: String
    public let authorization: String?
    public let body: Data

    /// The request as a URLRequest.
    public var urlRequest: URLRequest? {
        guard let target = URL(string: url) else { return nil }
        var request = URLRequest(url: target)
        request.httpMethod = method
        request.setValue(contentType, forHTTPHeaderField: "Content-Type")
        request.setValue(accept, forHTTPHeaderField: "Accept")
        if let authorization { request.setValue(authorization, forHTTPHeaderField: "Authorization") }
        request.httpBody = body
        return request
    }
}

public final class ClientConfig {
    let handle: OpaquePointer

    /// A Workfront client for the organisation at `domain` (e.g. "acme.my.workfront.com").
    public init(workfrontDomain domain: String, clientID: String, redirectURI: String) throws {
        var raw: OpaquePointer?
        let result = withStr(domain) { d in withStr(clientID) { c in withStr(redirectURI) { r -> authcode_result in
            var params = authcode_client_config_params()
            params.profile = UInt32(AUTHCODE_PROFILE_WORKFRONT.rawValue)
            params.client_id = c
            params.redirect_uri = r
            params.workfront_domain = d
            return authcode_client_config_new(&params, &raw)
        } } }
        try check(result)
        handle = raw!
    }

    deinit { authcode_client_config_free(handle) }

    /// Requests a scope (space-separated).
    public func scope(_ scope: String) throws {
        let result = withStr(scope) { authcode_client_config_set_scope(handle, $0.ptr, $0.len) }
        try check(result) { (try? readText(256) { authcode_client_config_last_error(self.handle, $0, $1, $2) }) ?? "" }
    }
}

public final class Session {
    let handle: OpaquePointer

    /// Starts a login; `now` defaults to the system clock.
    public init(config: ClientConfig, now: Date = Date()) throws {
        var raw: OpaquePointer?
        try check(authcode_session_new(config.handle, nil, UInt64(now.timeIntervalSince1970), &raw))
        handle = raw!
    }

    deinit { authcode_session_free(handle) }

    private func lastError() -> String {
        (try? readText(256) { authcode_session_last_error(self.handle, $0, $1, $2) }) ?? ""
    }

    /// The URL to open with ASWebAuthenticationSession.
    public func authorizeURL() throws -> String {
        try readText(2048, { authcode_session_authorize_url(self.handle, $0, $1, $2) }, detail: lastError)
    }

    /// Reads the callback URL. Returns false when the server answered with an error.
    public func handleRedirect(_ url: String) throws -> Bool {
        var outcome = AUTHCODE_REDIRECT_OUTCOME_DENIED
        let result = withStr(url) { authcode_session_on_redirect(handle, $0.ptr, $0.len, &outcome) }
        try check(result, lastError)
        return outcome == AUTHCODE_REDIRECT_OUTCOME_CODE_RECEIVED
    }

    public func tokenRequest() throws -> HTTPRequest {
        try request { authcode_session_token_request(self.handle, $0, $1, $2, $3) }
    }

    /// Reads the token response. Returns true when authorized.
    public func handleTokenResponse(status: Int, body: Data, now: Date = Date()) throws -> Bool {
        var outcome = AUTHCODE_TOKEN_OUTCOME_REJECTED
        let result = body.withUnsafeBytes { bytes in
            authcode_session_on_token_response(handle, UInt16(clamping: status), bytes.bindMemory(to: UInt8.self).baseAddress,
                                               bytes.count, UInt64(now.timeIntervalSince1970), &outcome)
        }
        try check(result, lastError)
        return outcome == AUTHCODE_TOKEN_OUTCOME_AUTHORIZED
    }

    public func refreshDue(now: Date = Date()) throws -> Bool {
        var due = false
        try check(authcode_session_refresh_due(handle, UInt64(now.timeIntervalSince1970), &due))
        return due
    }

    public func refreshRequest() throws -> HTTPRequest {
        try request { authcode_session_refresh_request(self.handle, $0, $1, $2, $3) }
    }

    public func accessToken() throws -> String {
        try readText(4096) { authcode_session_access_token(self.handle, $0, $1, $2) }
    }

    /// The saved session. It holds secrets: store it in the Keychain.
    public func save() throws -> Data {
        var buffer = [UInt8](repeating: 0, count: 8192)
        var length = 0
        try check(buffer.withUnsafeMutableBufferPointer { authcode_session_save(handle, $0.baseAddress, $0.count, &length) })
        return Data(buffer[0..<length])
    }

    /// The saved session, authenticated with HMAC-SHA-256 under `key` (16...64 random
    /// bytes kept in the Keychain, apart from the saves). It restores only through
    /// `restore(_:key:)` with the same key.
    public func save(key: Data) throws -> Data {
        var buffer = [UInt8](repeating: 0, count: 8192)
        var length = 0
        let result = key.withUnsafeBytes { key in
            buffer.withUnsafeMutableBufferPointer {
                authcode_session_save_keyed(handle, key.bindMemory(to: UInt8.self).baseAddress, key.count, $0.baseAddress, $0.count, &length)
            }
        }
        try check(result)
        return Data(buffer[0..<length])
    }

    /// Replaces the state with a save from `save()` (this version or an earlier one). On
    /// failure the session is unchanged.
    public func restore(_ saved: Data) throws {
        let result = saved.withUnsafeBytes { authcode_session_restore(handle, $0.bindMemory(to: UInt8.self).baseAddress, $0.count) }
        try check(result, lastError)
    }

    /// Replaces the state with a save from `save(key:)` made with `key`. A changed save,
    /// another key or an unkeyed save throw (`.restoreFailed`, "not authenticated by the
    /// key given") and leave the session unchanged. To move an app to keyed saves, restore
    /// its old save once with `restore(_:)`, then save it with `save(key:)`.
    public func restore(_ saved: Data, key: Data) throws {
        let result = key.withUnsafeBytes { key in
            saved.withUnsafeBytes {
                authcode_session_restore_keyed(handle, key.bindMemory(to: UInt8.self).baseAddress, key.count, $0.bindMemory(to: UInt8.self).baseAddress, $0.count)
            }
        }
        try check(result, lastError)
    }

    private func request(_ build: (UnsafeMutablePointer<UInt8>?, Int, UnsafeMutablePointer<Int>, UnsafeMutablePointer<authcode_http_request>) -> authcode_result) throws -> HTTPRequest {
        var buffer = [UInt8](repeating: 0, count: 2048)
        var length = 0
        var raw = authcode_http_request()
        var result = buffer.withUnsafeMutableBufferPointer { build($0.baseAddress, $0.count, &length, &raw) }
        if result == AUTHCODE_RESULT_BUFFER_TOO_SMALL {
            buffer = [UInt8](repeating: 0, count: length)
            result = buffer.withUnsafeMutableBufferPointer { build($0.baseAddress, $0.count, &length, &raw) }
        }
        try check(result, lastError)
        // Copy out while `buffer` is alive: the C structure points into it.
        return buffer.withUnsafeBufferPointer { _ in
            HTTPRequest(method: string(raw.method) ?? "POST", url: string(raw.url) ?? "",
                        contentType: string(raw.content_type) ?? "", accept: string(raw.accept) ?? "",
                        authorization: string(raw.authorization), body: Data((string(raw.body) ?? "").utf8))
        }
    }
}
