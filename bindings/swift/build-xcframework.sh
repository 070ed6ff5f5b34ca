#!/usr/bin/env bash
# Builds bindings/swift/AuthcodeFFI.xcframework, the binary target of Package.swift: the
# static library libauthcode_ffi.a (features: std, without jni) for
#   ios-arm64                    aarch64-apple-ios
#   ios-arm64_x86_64-simulator   aarch64-apple-ios-sim + x86_64-apple-ios (lipo)
#   macos-arm64_x86_64           aarch64-apple-darwin + x86_64-apple-darwin (lipo; for
#                                `swift build` / `swift test` on the Mac)
# each with Headers/ = include/authcode.h + module.modulemap (`module AuthcodeFFI`).
#
# Usage: build-xcframework.sh [--ios-only | --macos-only] [--debug]
#        build-xcframework.sh --headers-only DIR   (writes only the Headers dir; any OS)
# Needs macOS with Xcode (xcodebuild, lipo) and rustup, except --headers-only.
# Honours CARGO_TARGET_DIR. Written for the bash 3.2 that macOS ships.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
OUT="$HERE/AuthcodeFFI.xcframework"
STAGE="$TARGET_DIR/authcode-xcframework"
# Keep in step with `platforms:` in Package.swift (rustc reads these).
export IPHONEOS_DEPLOYMENT_TARGET="${IPHONEOS_DEPLOYMENT_TARGET:-13.0}"
export MACOSX_DEPLOYMENT_TARGET="${MACOSX_DEPLOYMENT_TARGET:-11.0}"

die() { echo "build-xcframework.sh: $*" >&2; exit 1; }

# The Headers directory of every slice: the header and the module map SwiftPM and Xcode
# find there (for a static-library XCFramework the module map sits in Headers/).
write_headers() {
  mkdir -p "$1"
  cp "$ROOT/include/authcode.h" "$1/authcode.h"
  cat > "$1/module.modulemap" <<'EOF'
module AuthcodeFFI {
    header "authcode.h"
    export *
}
EOF
}

IOS=1
MACOS=1
PROFILE=release
while [ $# -gt 0 ]; do
  case "$1" in
    --headers-only)
      [ $# -ge 2 ] || die "--headers-only needs a directory"
      write_headers "$2"
      exit 0
      ;;
    --ios-only) MACOS=0 ;;
    --macos-only) IOS=0 ;;
    --debug) PROFILE=debug ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
  shift
done

[ "$(uname -s)" = Darwin ] || die "needs macOS with Xcode; elsewhere only --headers-only works (see README.md)"
for tool in cargo xcodebuild lipo; do
  command -v "$tool" >/dev/null 2>&1 || die "missing $tool"
done

build() {
  if command -v rustup >/dev/null 2>&1; then rustup target add "$1" >/dev/null; fi
  if [ "$PROFILE" = release ]; then
    cargo rustc --manifest-path "$ROOT/Cargo.toml" -p authcode-ffi --release --target "$1" \
      --crate-type staticlib --no-default-features --features std
  else
    cargo rustc --manifest-path "$ROOT/Cargo.toml" -p authcode-ffi --target "$1" \
      --crate-type staticlib --no-default-features --features std
  fi
}
lib() { echo "$TARGET_DIR/$1/$PROFILE/libauthcode_ffi.a"; }

rm -rf "$STAGE"
write_headers "$STAGE/Headers"
set --
if [ "$IOS" = 1 ]; then
  for target in aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios; do build "$target"; done
  mkdir -p "$STAGE/ios-simulator"
  lipo -create "$(lib aarch64-apple-ios-sim)" "$(lib x86_64-apple-ios)" \
    -output "$STAGE/ios-simulator/libauthcode_ffi.a"
  set -- ${1+"$@"} -library "$(lib aarch64-apple-ios)" -headers "$STAGE/Headers" \
    -library "$STAGE/ios-simulator/libauthcode_ffi.a" -headers "$STAGE/Headers"
fi
if [ "$MACOS" = 1 ]; then
  for target in aarch64-apple-darwin x86_64-apple-darwin; do build "$target"; done
  mkdir -p "$STAGE/macos"
  lipo -create "$(lib aarch64-apple-darwin)" "$(lib x86_64-apple-darwin)" \
    -output "$STAGE/macos/libauthcode_ffi.a"
  set -- ${1+"$@"} -library "$STAGE/macos/libauthcode_ffi.a" -headers "$STAGE/Headers"
fi
[ $# -gt 0 ] || die "nothing to build"
rm -rf "$OUT"
xcodebuild -create-xcframework "$@" -output "$OUT"
echo "wrote $OUT"
