//! Criterion benchmarks for authcode live in `benches/`; run them with
//! `cargo bench -p authcode-benches`. Each row stands beside its floor (the raw `sha2`
//! digest of the same bytes) and, where one exists, the `oauth2` crate's equivalent.
//! See `BENCHMARKS.md` at the repository root for the figures.
