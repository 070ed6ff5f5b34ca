// swift-tools-version:5.9
// The Swift package for authcode: an idiomatic API over the C ABI (include/authcode.h).
//
// Build the static library first (see bindings/swift/README.md), e.g. an XCFramework made
// from `libauthcode_ffi.a` for iOS device and simulator, and link it into the app.
import PackageDescription

let package = Package(
    name: "Authcode",
    platforms: [.iOS(.v13), .macOS(.v11)],
    products: [
        .library(name: "Authcode", targets: ["Authcode"]),
    ],
    targets: [
        .systemLibrary(name: "CAuthcode", path: "Sources/CAuthcode"),
        .target(name: "Authcode", dependencies: ["CAuthcode"], path: "Sources/Authcode"),
    ]
)
