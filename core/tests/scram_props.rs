//! SCRAM-SHA-256 under arbitrary input: every message a peer can send, at every
//! step, gives a value or a typed error, never a panic; a message that went
//! through intact authenticates, one with any byte changed does not.
#![cfg(not(target_arch = "wasm32"))]

use mqttlab_core::auth::{ScramClient, ScramCredentials, ScramError, ScramServer};
use proptest::prelude::*;

fn creds() -> ScramCredentials {
    ScramCredentials::from_password(b"senha", b"sal", 2)
}

/// Bytes near the grammar: pieces of real messages, commas, `=`, and noise.
fn message() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(b"n,,".to_vec()),
        Just(b"y,,".to_vec()),
        Just(b"p=x,,".to_vec()),
        Just(b"n=aluno".to_vec()),
        Just(b"r=abc".to_vec()),
        Just(b"s=c2Fs".to_vec()),
        Just(b"i=2".to_vec()),
        Just(b"c=biws".to_vec()),
        Just(b"p=AAAA".to_vec()),
        Just(b"v=AAAA".to_vec()),
        Just(b"e=x".to_vec()),
        Just(b"m=x".to_vec()),
        Just(b",".to_vec()),
        Just(b"=".to_vec()),
        Just("é".as_bytes().to_vec()),
        proptest::collection::vec(any::<u8>(), 0..6),
    ];
    proptest::collection::vec(piece, 0..10).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn no_step_panics(first in message(), server_first in message(), last in message(), fin in message()) {
        let _ = ScramServer::handle_client_first(&first, "s", |_| Some(creds()));
        let (client, _) = ScramClient::new("aluno", b"senha", "abc").unwrap();
        let _ = client.clone().handle_server_first(&server_first);
        let (server, _) =
            ScramServer::handle_client_first(b"n,,n=aluno,r=abc", "s", |_| Some(creds())).unwrap();
        let _ = server.handle_client_final(&last);
        let (client, _) = client
            .handle_server_first(b"r=abcs,s=c2Fs,i=2")
            .unwrap();
        let _ = client.handle_server_final(&fin);
    }

    #[test]
    fn a_changed_byte_never_authenticates(at in any::<prop::sample::Index>(), flip in 1u8..=255) {
        let (client, first) = ScramClient::new("aluno", b"senha", "abc").unwrap();
        let (server, server_first) =
            ScramServer::handle_client_first(&first, "s", |_| Some(creds())).unwrap();
        let (client, mut last) = client.handle_server_first(&server_first).unwrap();
        let i = at.index(last.len());
        last[i] ^= flip;
        // Either it no longer parses or it is refused: never a server-final.
        match server.handle_client_final(&last) {
            Ok(fin) => prop_assert!(false, "accepted {:?}, answered {:?}", String::from_utf8_lossy(&last), fin),
            Err(ScramError::Malformed { at, .. }) => prop_assert!(at <= last.len()),
            Err(_) => {}
        }
        let _ = client;
    }
}
