//! HTTP Basic in both directions (proptest): whatever id and secret a client writes, the
//! server reads back exactly — colons, spaces, `%`, `+` and non-ASCII included
//! (RFC 6749 §2.3.1: form-urlencoded before base64).

#![cfg(test)] // lets clippy treat helpers as test code (see clippy.toml)

use authcode::Secret;
use authcode::wire::Writer;
use authcode::wire::basic::{read_header, write_header};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn what_the_client_writes_the_server_reads(id in "\\PC{1,40}", secret in "\\PC{0,60}") {
        let mut buf = [0u8; 4096];
        let mut writer = Writer::new(&mut buf);
        write_header(&mut writer, &id, &secret).unwrap();
        let header = writer.finish().unwrap();
        prop_assert!(header.bytes().all(|b| (0x21..=0x7e).contains(&b) || b == b' '));
        let (read_id, read_secret): (heapless::String<256>, Secret<512>) =
            read_header(header).unwrap();
        prop_assert_eq!(read_id.as_str(), id.as_str());
        prop_assert_eq!(read_secret.as_str(), secret.as_str());
    }
}
