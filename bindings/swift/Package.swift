// swift-tools-version:5.9
// The Swift package for authcode: an idiomatic API (`Authcode`) over the C ABI
// (include/authcode.h), which comes as the binary target `AuthcodeFFI`: an XCFramework of
// the static library `libauthcode_ffi.a` for iOS devices, the iOS simulator and macOS, its
// Headers holding authcode.h and the module map that makes `import AuthcodeFFI` work.
//
// Build the XCFramework first, on a Mac: `./build-xcframework.sh` (see README.md).
import PackageDescription

let package = Package(
    name: "Authcode",
    platforms: [.iOS(.v13), .macOS(.v11)],
    products: [
        .library(name: "Authcode", targets: ["Authcode"]),
    ],
    targets: [
        .binaryTarget(name: "AuthcodeFFI", path: "AuthcodeFFI.xcframework"),
        .target(name: "Authcode", dependencies: ["AuthcodeFFI"], path: "Sources/Authcode"),
        .testTarget(name: "AuthcodeTests", dependencies: ["Authcode"], path: "Tests/AuthcodeTests"),
    ]
)
