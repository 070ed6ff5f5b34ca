// The Swift binding's tests (`swift test` on a Mac, after ./build-xcframework.sh): a whole
// login against the in-process Server, the misuse cases (a failing call throws the right
// code with the object's last error and leaves the object unchanged), and the pointer
// rules (everything returned is a copy that outlives the buffers and objects it came from).
// They call no C function directly. They cannot run on Linux (no Swift toolchain there);
// ffi/tests/swift_symbols.rs checks them statically.
import Foundation
import XCTest

@testable import Authcode

/// Tests of the Authcode Swift API.
final class AuthcodeTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_700_000_000)
    let redirectURI = "https://web.example.com/cb"

    // MARK: Helpers

    /// The AuthcodeError `body` throws; fails the test when it throws nothing or another error.
    func thrown(file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Void) -> AuthcodeError? {
        do {
            try body()
        } catch let error as AuthcodeError {
            return error
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
            return nil
        }
        XCTFail("no error thrown", file: file, line: line)
        return nil
    }

    /// The query of an authorize URL (what the server's authorize endpoint reads).
    func query(of url: String) -> String {
        guard let mark = url.firstIndex(of: "?") else { return "" }
        return String(url[url.index(after: mark)...])
    }

    /// A server with one web app, and a client configuration for that app.
    func makeServerAndConfig() throws -> (server: Server, app: CreatedApp, config: ClientConfig) {
        let server = try Server(profile: .rfc)
        let app = try server.createApp(AppSpec(name: "Web", kind: .webApp, redirectURIs: [redirectURI]))
        let config = try ClientConfig(profile: .rfc,
                                      authorizationEndpoint: "https://as.example.com/authorize",
                                      tokenEndpoint: "https://as.example.com/token",
                                      clientID: app.clientID, redirectURI: redirectURI)
        try config.setScope("read write")
        try config.setClientSecretBasic(try XCTUnwrap(app.clientSecret))
        try config.setRevocationEndpoint("https://as.example.com/revoke")
        return (server, app, config)
    }

    /// A session of `config` taken through the login against `server` for `subject`.
    func signIn(_ server: Server, _ config: ClientConfig, subject: String) throws -> Session {
        let session = try Session(config: config, now: now)
        let redirect = try server.authorize(query: query(of: try session.authorizeURL()), subject: subject, now: now)
        XCTAssertEqual(try session.handleRedirect(redirect.location), .codeReceived)
        let response = try server.token(TokenEndpointRequest(try session.tokenRequest()), now: now + 1)
        XCTAssertEqual(try session.handleTokenResponse(status: response.status, body: response.body, now: now + 1), .authorized)
        return session
    }

    // MARK: Library and PKCE

    func testLibraryVersionAndResultNames() {
        XCTAssertTrue(AuthcodeLibrary.abiMatches)
        XCTAssertEqual(AuthcodeLibrary.abiVersion, AuthcodeLibrary.headerABIVersion)
        XCTAssertEqual(AuthcodeLibrary.version, AuthcodeLibrary.headerVersion)
        XCTAssertEqual(ResultCode.bufferTooSmall.name, "AUTHCODE_RESULT_BUFFER_TOO_SMALL")
        XCTAssertEqual(resultName(12345), "AUTHCODE_RESULT_UNKNOWN")
        XCTAssertFalse(ResultCode.wrongState.message.isEmpty)
        // Every Swift result code is a code the linked library knows.
        for code in ResultCode.allCases {
            XCTAssertNotEqual(code.name, "AUTHCODE_RESULT_UNKNOWN", "\(code)")
        }
    }

    func testPkce() throws {
        XCTAssertEqual(try Pkce.challenge(of: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
                       "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
        let verifier = try Pkce.generateVerifier()
        XCTAssertEqual(verifier.count, 43)
        XCTAssertEqual(try Pkce.generateVerifier(length: 128).count, 128)
        XCTAssertTrue(try Pkce.verify(verifier: verifier, challenge: try Pkce.challenge(of: verifier)))
        XCTAssertFalse(try Pkce.verify(verifier: verifier, challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"))
        XCTAssertEqual(thrown { _ = try Pkce.generateVerifier(length: 42) }?.code, .invalidArgument)
        XCTAssertEqual(thrown { _ = try Pkce.verify(verifier: "short", challenge: "x") }?.code, .invalidVerifier)
    }

    // MARK: The whole flow

    func testFullLoginRefreshRevokeAndKeyedSave() throws {
        let (server, app, config) = try makeServerAndConfig()
        XCTAssertEqual(app.clientID.count, 32)
        XCTAssertEqual(app.clientSecret?.count, 43)
        try config.setBodyFormat(.form)
        try config.setRefreshMargin(60)
        try config.addAuthorizationParameter(name: "prompt", value: "login")

        let session = try Session(config: config, now: now)
        XCTAssertEqual(try session.stage(), .awaitingRedirect)
        let url = try session.authorizeURL()
        XCTAssertTrue(url.hasPrefix("https://as.example.com/authorize?"))
        XCTAssertTrue(url.contains("prompt=login"))

        let redirect = try server.authorize(query: query(of: url), subject: "user-7", now: now)
        XCTAssertTrue(redirect.carriesCode)
        XCTAssertEqual(try session.handleRedirect(redirect.location), .codeReceived)
        XCTAssertEqual(try session.stage(), .awaitingToken)

        let request = try session.tokenRequest()
        XCTAssertEqual(request.method, "POST")
        XCTAssertEqual(request.url, "https://as.example.com/token")
        XCTAssertTrue(request.authorization?.hasPrefix("Basic ") ?? false)
        XCTAssertNotNil(request.urlRequest)
        let response = try server.token(TokenEndpointRequest(request), now: now + 1)
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(try session.handleTokenResponse(status: response.status, body: response.body, now: now + 1), .authorized)
        XCTAssertEqual(try session.stage(), .authorized)
        XCTAssertEqual(try session.serverError(), OAuthErrorCode.none)

        let access = try session.accessToken()
        let info = try XCTUnwrap(try server.validate(accessToken: access, now: now + 2))
        XCTAssertEqual(info.subject, "user-7")
        XCTAssertEqual(info.scope, "read write")
        XCTAssertEqual(info.clientID, app.clientID)
        XCTAssertGreaterThan(info.expiresAt, now)
        let tokenInfo = try session.tokenInfo()
        XCTAssertEqual(tokenInfo.tokenType, .bearer)
        XCTAssertGreaterThan(try XCTUnwrap(tokenInfo.expiresAt), now)
        XCTAssertFalse(try XCTUnwrap(try session.refreshToken()).isEmpty)

        // Refresh with the response handler: the session leaves "refreshing".
        XCTAssertFalse(try session.refreshDue(now: now + 2))
        XCTAssertTrue(try session.refreshDue(now: now + 3600))
        let refresh = try session.refreshRequest()
        XCTAssertEqual(try session.stage(), .refreshing)
        let refreshed = try server.token(TokenEndpointRequest(refresh), now: now + 3600)
        XCTAssertEqual(refreshed.status, 200)
        XCTAssertEqual(try session.handleRefreshResponse(status: refreshed.status, body: refreshed.body, now: now + 3600), .refreshed)
        XCTAssertEqual(try session.stage(), .authorized)
        let renewed = try session.accessToken()
        XCTAssertNotEqual(renewed, access)
        XCTAssertNotNil(try server.validate(accessToken: renewed, now: now + 3601))

        // Keyed save and restore.
        let key = Data(repeating: 7, count: 32)
        let saved = try session.save(key: key)
        let restored = try Session(config: config, now: now)
        try restored.restore(saved, key: key)
        XCTAssertEqual(try restored.stage(), .authorized)
        XCTAssertEqual(try restored.accessToken(), renewed)
        // Unkeyed save and restore.
        let plain = try session.save()
        let restoredPlain = try Session(config: config, now: now)
        try restoredPlain.restore(plain)
        XCTAssertEqual(try restoredPlain.accessToken(), renewed)

        // Revoke the refresh token: the grant ends, and a refresh now needs a new sign-in.
        let revocation = try restored.revocationRequest(for: .refresh)
        XCTAssertEqual(try server.revoke(TokenEndpointRequest(revocation), now: now + 3602).status, 200)
        XCTAssertNil(try server.validate(accessToken: renewed, now: now + 3603))
        let refused = try server.token(TokenEndpointRequest(try session.refreshRequest()), now: now + 3604)
        XCTAssertEqual(try session.handleRefreshResponse(status: refused.status, body: refused.body, now: now + 3604), .signInRequired)
        XCTAssertEqual(try session.stage(), .failed)
        XCTAssertEqual(try session.serverError(), .invalidGrant)

        try restored.signOut()
        XCTAssertEqual(thrown { _ = try restored.accessToken() }?.code, .wrongState)
    }

    func testCancelRefreshAndRefreshInFlight() throws {
        let (server, _, config) = try makeServerAndConfig()
        let session = try signIn(server, config, subject: "user-8")
        _ = try session.refreshRequest()
        XCTAssertEqual(try session.stage(), .refreshing)
        let inFlight = thrown { _ = try session.refreshRequest() }
        XCTAssertEqual(inFlight?.code, .refreshInFlight)
        XCTAssertFalse(inFlight?.detail.isEmpty ?? true)
        try session.cancelRefresh()
        XCTAssertEqual(try session.stage(), .authorized)
        let again = try server.token(TokenEndpointRequest(try session.refreshRequest()), now: now + 10)
        XCTAssertEqual(try session.handleRefreshResponse(status: again.status, body: again.body, now: now + 10), .refreshed)
    }

    // MARK: Misuse: the right code, the object's own error text, nothing changed

    func testWrongStateThrowsWithDetailAndChangesNothing() throws {
        let (server, _, config) = try makeServerAndConfig()
        let session = try Session(config: config, now: now)
        let error = thrown { _ = try session.tokenRequest() }
        XCTAssertEqual(error?.code, .wrongState)
        XCTAssertEqual(error?.name, "AUTHCODE_RESULT_WRONG_STATE")
        XCTAssertFalse(error?.detail.isEmpty ?? true)
        XCTAssertEqual(error?.detail, session.lastError())
        XCTAssertEqual(try session.stage(), .awaitingRedirect)
        XCTAssertNoThrow(try session.cancelRefresh()) // cancelling when no refresh is in flight is no error
        XCTAssertEqual(thrown { _ = try session.tokenInfo() }?.code, .wrongState)
        XCTAssertEqual(thrown { _ = try session.handleRefreshResponse(status: 200, body: Data("{}".utf8), now: now) }?.code, .wrongState)

        // A forged redirect is refused and the session still takes the real one.
        let url = try session.authorizeURL()
        let redirect = try server.authorize(query: query(of: url), subject: "user-9", now: now)
        let forged = thrown { _ = try session.handleRedirect(self.redirectURI + "?code=x&state=forged") }
        XCTAssertEqual(forged?.code, .redirectRefused)
        XCTAssertFalse(forged?.detail.isEmpty ?? true)
        XCTAssertEqual(try session.stage(), .awaitingRedirect)
        XCTAssertEqual(try session.authorizeURL(), url)
        XCTAssertEqual(thrown { _ = try session.handleRedirect("") }?.code, .redirectRefused)
        XCTAssertEqual(try session.handleRedirect(redirect.location), .codeReceived)

        // An unreadable token response changes nothing: the real one still works.
        let request = try session.tokenRequest()
        XCTAssertEqual(thrown { _ = try session.handleTokenResponse(status: 200, body: Data("{".utf8), now: self.now) }?.code,
                       .responseUnreadable)
        XCTAssertEqual(try session.stage(), .awaitingToken)
        XCTAssertEqual(try session.tokenRequest(), request)
        let response = try server.token(TokenEndpointRequest(request), now: now + 1)
        XCTAssertEqual(try session.handleTokenResponse(status: response.status, body: response.body, now: now + 1), .authorized)
        // A success clears the last error.
        XCTAssertEqual(session.lastError(), "")
    }

    func testRestoreFailuresLeaveTheSessionUnchanged() throws {
        let (server, _, config) = try makeServerAndConfig()
        let session = try signIn(server, config, subject: "user-10")
        let saved = try session.save()
        let key = Data(repeating: 7, count: 32)
        let keyed = try session.save(key: key)
        let target = try Session(config: config, now: now)
        let url = try target.authorizeURL()

        XCTAssertEqual(thrown { try target.restore(saved.dropLast()) }?.code, .restoreFailed)
        XCTAssertEqual(thrown { try target.restore(Data()) }?.code, .restoreFailed)
        let wrongKey = thrown { try target.restore(keyed, key: Data(repeating: 8, count: 32)) }
        XCTAssertEqual(wrongKey?.code, .restoreFailed)
        XCTAssertTrue(wrongKey?.detail.contains("not authenticated") ?? false)
        XCTAssertEqual(thrown { try target.restore(keyed) }?.code, .restoreFailed)
        XCTAssertEqual(thrown { try target.restore(saved, key: key) }?.code, .restoreFailed)
        XCTAssertEqual(thrown { _ = try session.save(key: Data(repeating: 1, count: 15)) }?.code, .invalidArgument)
        XCTAssertEqual(try target.stage(), .awaitingRedirect)
        XCTAssertEqual(try target.authorizeURL(), url)
        try target.restore(keyed, key: key)
        XCTAssertEqual(try target.stage(), .authorized)
    }

    func testConfigErrorsCarryTheConfigsLastError() throws {
        let (_, _, config) = try makeServerAndConfig()
        let error = thrown { try config.setScope("bad  scope") }
        XCTAssertEqual(error?.code, .invalidConfig)
        XCTAssertTrue(error?.detail.contains("scope") ?? false)
        XCTAssertEqual(thrown { try config.setIssuer("not a url") }?.code, .invalidConfig)
        XCTAssertEqual(thrown { try config.addAuthorizationParameter(name: "state", value: "x") }?.code, .invalidConfig)
        XCTAssertEqual(thrown { try config.setClientSecretPost("") }?.code, .invalidConfig)
        // Creating an object that fails has no object to hold a reason.
        XCTAssertEqual(thrown {
            _ = try ClientConfig(authorizationEndpoint: "ftp://x", tokenEndpoint: "https://as.example.com/token",
                                 clientID: "c", redirectURI: self.redirectURI)
        }?.code, .invalidConfig)
    }

    // MARK: Server administration

    func testServerAdministration() throws {
        let (server, app, config) = try makeServerAndConfig()
        try server.setIssuer("https://as.example.com")
        try server.setLifetimes(code: 60, accessToken: 3600)
        try server.setQuotas(codesPerApp: 0, grantsPerApp: 0, codesPerSubject: 8)
        try server.setAccessTokensPerGrant(2)
        try server.setRefreshGrace(10)
        XCTAssertEqual(thrown { try server.setRefreshGrace(61) }?.code, .invalidServerConfig)
        XCTAssertEqual(try server.appCount(), 1)
        XCTAssertGreaterThan(try server.appUsage(clientID: app.clientID).grantsQuota, 0)
        XCTAssertEqual(thrown { _ = try server.appUsage(clientID: "nobody") }?.code, .appRefused)

        _ = try signIn(server, config, subject: "user-11")
        XCTAssertEqual(try server.appUsage(clientID: app.clientID).grants, 1)
        XCTAssertEqual(try server.revokeSubject("user-11"), 1)
        XCTAssertEqual(try server.revokeAppGrants(clientID: app.clientID), 0)
        XCTAssertFalse(try server.revokeToken("not-a-token"))
        XCTAssertGreaterThanOrEqual(try server.purgeExpired(now: now + 100_000), 0)

        let added = try server.addSecret(clientID: app.clientID, now: now + 30)
        XCTAssertEqual(added.slot, 1)
        XCTAssertEqual(added.secret.count, 43)
        XCTAssertEqual(thrown { _ = try server.addSecret(clientID: app.clientID, now: self.now + 31) }?.code, .appRefused)
        try server.deleteSecret(clientID: app.clientID, slot: 0, now: now + 32)
        let rotated = try server.rotateSecret(clientID: app.clientID, overlap: 60, endGrants: true, now: now + 33)
        XCTAssertEqual(rotated.count, 43)
        XCTAssertNotEqual(rotated, added.secret)
        XCTAssertEqual(try server.rotateSecret(clientID: app.clientID).count, 43)

        try server.updateApp(clientID: app.clientID, spec: AppSpec(name: "Renamed", kind: .webApp, redirectURIs: [redirectURI]))
        let session = try Session(config: config, now: now)
        let denied = try server.deny(query: query(of: try session.authorizeURL()))
        XCTAssertEqual(denied.error, .accessDenied)
        XCTAssertFalse(denied.carriesCode)
        XCTAssertTrue(denied.location.contains("error=access_denied"))
        XCTAssertEqual(try session.handleRedirect(denied.location), .denied)
        XCTAssertEqual(try session.serverError(), .accessDenied)

        let refused = thrown { _ = try server.authorize(query: "response_type=code&client_id=nobody", subject: "u", now: self.now) }
        XCTAssertEqual(refused?.code, .authorizeRefused)
        XCTAssertFalse(refused?.detail.isEmpty ?? true)

        try server.deleteApp(clientID: app.clientID)
        XCTAssertEqual(try server.appCount(), 0)
        let gone = thrown { try server.deleteApp(clientID: app.clientID) }
        XCTAssertEqual(gone?.code, .appRefused)
        XCTAssertEqual(gone?.name, "AUTHCODE_RESULT_APP_REFUSED")
        XCTAssertFalse(gone?.detail.isEmpty ?? true)
        XCTAssertFalse(gone?.detail.contains("UTF-8") ?? true) // this failure's text, not an earlier one's
    }

    func testWorkfrontServerAndClient() throws {
        let server = try Server(profile: .workfront)
        try server.setWorkfrontIdentity(domain: "acme.my.workfront.com", lane: "lane-1", wid: "wid-9")
        let app = try server.createApp(AppSpec(name: "Mobile", kind: .singlePage, redirectURIs: ["com.example.app:/oauth2"],
                                               absoluteLifetime: 86400))
        XCTAssertNil(app.clientSecret)
        let config = try ClientConfig(workfrontDomain: "acme.my.workfront.com", clientID: app.clientID,
                                      redirectURI: "com.example.app:/oauth2")
        let session = try signIn(server, config, subject: "user-42")
        XCTAssertEqual(try session.tokenInfo().tokenType, .sessionID)
    }

    // MARK: Pointer safety: everything returned is a copy

    func testRequestsAndResponsesOutliveTheirObjects() throws {
        var server: Server? = try makeServerAndConfig().server
        let app = try XCTUnwrap(server).createApp(AppSpec(name: "Pub", kind: .singlePage, redirectURIs: [redirectURI]))
        var config: ClientConfig? = try ClientConfig(authorizationEndpoint: "https://as.example.com/authorize",
                                                     tokenEndpoint: "https://as.example.com/token",
                                                     clientID: app.clientID, redirectURI: redirectURI)
        var session: Session? = try Session(config: try XCTUnwrap(config), now: now)
        config = nil // the session keeps its own copy
        let url = try XCTUnwrap(session).authorizeURL()
        let redirect = try XCTUnwrap(server).authorize(query: query(of: url), subject: "user-12", now: now)
        XCTAssertEqual(try XCTUnwrap(session).handleRedirect(redirect.location), .codeReceived)
        let first = try XCTUnwrap(session).tokenRequest()
        let second = try XCTUnwrap(session).tokenRequest()
        XCTAssertEqual(first, second)
        _ = try XCTUnwrap(session).stage() // another call on the session changes no copy
        session = nil // frees the session and everything its request pointed into
        XCTAssertEqual(first, second)
        let body = String(decoding: first.body, as: UTF8.self)
        XCTAssertTrue(body.contains("grant_type=authorization_code"))
        XCTAssertTrue(body.contains("code_verifier="))

        let response = try XCTUnwrap(server).token(TokenEndpointRequest(first), now: now + 1)
        server = nil // frees the server and the response buffer's owner
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: response.body) as? [String: Any])
        XCTAssertNotNil(json["access_token"])
        XCTAssertEqual(response.status, 200)
    }

    func testBuffersGrowToTheSizeAsked() {
        let wanted = [UInt8](repeating: 0x61, count: 5000)
        var calls = 0
        let (result, bytes) = callFilling(capacity: 1) { buf, len, outLen in
            calls += 1
            outLen.pointee = wanted.count
            guard len >= wanted.count, let buf = buf else { return ResultCode.bufferTooSmall.rawValue }
            for (index, byte) in wanted.enumerated() { buf[index] = byte }
            return ResultCode.ok.rawValue
        }
        XCTAssertEqual(result, ResultCode.ok.rawValue)
        XCTAssertEqual(bytes, wanted)
        XCTAssertEqual(calls, 2)
        // A zero-length buffer (NULL) asks for the size; an error returns no bytes.
        let (failed, empty) = callFilling(capacity: 0) { _, _, outLen in
            outLen.pointee = 0
            return ResultCode.wrongState.rawValue
        }
        XCTAssertEqual(failed, ResultCode.wrongState.rawValue)
        XCTAssertTrue(empty.isEmpty)
    }

    func testStringArraysAndEmptyInputs() {
        let texts = ["https://a.example/cb", "", "h\u{e9}llo", String(repeating: "x", count: 1000)]
        let copies: [String] = withStrArray(texts) { views, count in
            (0..<count).map { index in views.map { copyText($0[index]) ?? "" } ?? "" }
        }
        XCTAssertEqual(copies, texts)
        XCTAssertEqual(withStrArray([]) { _, count in count }, 0)
        XCTAssertEqual(withBytes(Data()) { _, count in count }, 0)
        XCTAssertEqual(withBytes("") { _, count in count }, 0)
        XCTAssertEqual(thrown { _ = try Pkce.verify(verifier: "", challenge: "") }?.code, .invalidVerifier)
    }

    func testTimesAreClampedNotTrapped() throws {
        XCTAssertEqual(clampedSeconds(-1), 0)
        XCTAssertEqual(clampedSeconds(.nan), 0)
        XCTAssertEqual(clampedSeconds(.infinity), UInt64.max)
        XCTAssertEqual(clampedSeconds(1e30), UInt64.max)
        XCTAssertEqual(clampedSeconds(12.9), 12)
        let (_, _, config) = try makeServerAndConfig()
        XCTAssertEqual(try Session(config: config, now: Date(timeIntervalSince1970: -5)).stage(), .awaitingRedirect)
    }

    /// A configuration from server metadata, and a refusal naming the member.
    func testDiscovery() throws {
        let document = Data(#"{"issuer":"https://idp.example.com","authorization_endpoint":"https://idp.example.com/authorize","token_endpoint":"https://idp.example.com/token","response_types_supported":["code"],"code_challenge_methods_supported":["S256"]}"#.utf8)
        let config = try ClientConfig(metadata: document, issuer: "https://idp.example.com", clientID: "app",
                                      redirectURI: "http://127.0.0.1/callback")
        let session = try Session(config: config)
        XCTAssertTrue(try session.authorizeURL().hasPrefix("https://idp.example.com/authorize?"))
        XCTAssertThrowsError(try ClientConfig(metadata: document, issuer: "https://other.example.com", clientID: "app",
                                              redirectURI: "http://127.0.0.1/callback")) { error in
            XCTAssertEqual((error as? AuthcodeError)?.code, .invalidConfig)
            XCTAssertTrue((error as? AuthcodeError)?.detail.contains("issuer") ?? false)
        }
    }

    // MARK: Machine-to-machine and ID tokens

    func testJWTGrantSignedByTheCoreAndByTheHost() throws {
        let signer = Signer(es256PrivateKey: Data(repeating: 0x22, count: 32), keyID: "k1")
        let jwk = try signer.publicJWK()
        XCTAssertTrue(jwk.contains("\"kty\":\"EC\""))
        let server = try Server(profile: .rfc)
        try server.setIssuer("https://as.example.com")
        let app = try server.createApp(AppSpec(name: "Robot", kind: .machineToMachine, redirectURIs: [],
                                               publicKeys: [jwk]))
        let secret = String(decoding: try XCTUnwrap(app.clientSecret), as: UTF8.self)
        let client = try CredentialsClient(tokenEndpoint: "https://as.example.com/token", clientID: app.clientID,
                                           clientSecret: secret, auth: .post)
        XCTAssertNil(try client.accessToken(now: now))
        let grant = JWTGrant(subject: "user-1", audience: "https://as.example.com")
        let request = try client.jwtGrantRequest(grant, signer: signer, now: now)
        let response = try server.token(TokenEndpointRequest(request), now: now)
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(try client.handleTokenResponse(status: response.status, body: response.body, now: now), .issued)
        let token = try XCTUnwrap(try client.accessToken(now: now + 1))
        XCTAssertEqual(try server.validate(accessToken: token, now: now + 2)?.subject, "user-1")
        let replay = try server.token(TokenEndpointRequest(request), now: now)
        XCTAssertEqual(replay.status, 400)
        XCTAssertEqual(try client.handleTokenResponse(status: replay.status, body: replay.body, now: now), .rejected)
        XCTAssertEqual(try client.serverError(), .invalidGrant)
        try client.forgetToken()
        XCTAssertNil(try client.accessToken(now: now + 1))
        // A Keychain key that is locked: the signing function answers nil.
        let locked = Signer(algorithm: .es256) { _ in nil }
        XCTAssertEqual(thrown { _ = try client.jwtGrantRequest(grant, signer: locked, now: self.now) }?.code, .signingFailed)
        XCTAssertEqual(thrown { _ = try locked.publicJWK() }?.code, .invalidArgument)
        XCTAssertTrue(String(decoding: try client.tokenRequest().body, as: UTF8.self).hasPrefix("grant_type=client_credentials"))
    }

    func testIDTokensAreRequiredAndCheckedWhenConfigured() throws {
        let config = try ClientConfig(profile: .rfc, authorizationEndpoint: "https://as.example.com/authorize",
                                      tokenEndpoint: "https://as.example.com/token", clientID: "app",
                                      redirectURI: redirectURI)
        try config.setScope("openid")
        try config.setIssuer("https://as.example.com")
        try config.checkIDTokens()
        let session = try Session(config: config, now: now)
        let url = try session.authorizeURL()
        XCTAssertTrue(url.contains("nonce="))
        let state = try XCTUnwrap(URLComponents(string: url)?.queryItems?.first { $0.name == "state" }?.value)
        XCTAssertEqual(try session.handleRedirect("code=c&iss=https%3A%2F%2Fas.example.com&state=" + state), .codeReceived)
        let body = Data(#"{"access_token":"at","token_type":"Bearer","id_token":"e30.e30.AA"}"#.utf8)
        XCTAssertEqual(thrown { _ = try session.handleTokenResponse(status: 200, body: body, now: self.now) }?.code,
                       .idTokenRefused)
        XCTAssertEqual(thrown {
            _ = try session.handleTokenResponse(status: 200, body: body, jwkSet: Data(#"{"keys":[]}"#.utf8), now: self.now)
        }?.code, .idTokenRefused)
        XCTAssertEqual(try session.stage(), .awaitingToken)
        XCTAssertEqual(thrown { _ = try session.idToken() }?.code, .wrongState)
    }
}
