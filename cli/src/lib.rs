//! The `authcode` command's implementation, as a library so that tests, benchmarks and the
//! demo can run the server in-process.

// This crate is a std program: `std::` paths are the natural ones here. (The core keeps
// `std_instead_of_core`, where it matters for no_std.)
#![allow(clippy::std_instead_of_core)]

pub mod client_options;
pub mod demo;
pub mod failure;
pub mod http;
pub mod input;
pub mod keygen;
pub mod login;
pub mod pkce;
pub mod serve;
pub mod signing;
pub mod token;
