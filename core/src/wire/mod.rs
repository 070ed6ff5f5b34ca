//! Bytes on the wire: writing into caller buffers, percent-encoding, query strings and form
//! bodies, JSON objects, HTTP Basic credentials. Nothing here allocates.

pub mod basic;
pub mod json;
pub mod named;
pub mod query;
pub mod utf8;
mod writer;

pub use writer::Writer;
