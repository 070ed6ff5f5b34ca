//! Puts `memory.x` where cortex-m-rt's `link.x` finds it.

use std::path::PathBuf;

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    if let Err(error) = std::fs::write(out.join("memory.x"), include_bytes!("memory.x")) {
        println!("cargo::error=cannot write memory.x: {error}");
    }
    println!("cargo::rustc-link-search={}", out.display());
    println!("cargo::rerun-if-changed=memory.x");
}
