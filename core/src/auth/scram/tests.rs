//! RFC 7677's test vector both ways, and every way an exchange can fail.

use super::*;

// RFC 7677 §3.
const USER: &str = "user";
const PASSWORD: &[u8] = b"pencil";
const CNONCE: &str = "rOprNGfwEbeRWgbNEkqO";
const SNONCE: &str = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
const SALT_B64: &str = "W22ZaJ0SNY7soEsUEjb6gQ==";
const CLIENT_FIRST: &str = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
const SERVER_FIRST: &str =
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
const CLIENT_FINAL: &str = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,\
                            p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
const SERVER_FINAL: &str = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

fn creds(password: &[u8]) -> ScramCredentials {
    let salt = STANDARD.decode(SALT_B64).unwrap();
    ScramCredentials::from_password(password, &salt, 4096)
}

fn server() -> ScramServer {
    let (s, first) = ScramServer::handle_client_first(CLIENT_FIRST.as_bytes(), SNONCE, |u| {
        (u == USER).then(|| creds(PASSWORD))
    })
    .unwrap();
    assert_eq!(first, SERVER_FIRST.as_bytes());
    s
}

fn malformed(message: ScramMessage, at: usize, expected: Expected) -> ScramError {
    ScramError::Malformed {
        message,
        at,
        expected,
    }
}

#[test]
fn rfc7677_client_side() {
    let (client, first) = ScramClient::new(USER, PASSWORD, CNONCE).unwrap();
    assert_eq!(first, CLIENT_FIRST.as_bytes());
    let (client, final_msg) = client.handle_server_first(SERVER_FIRST.as_bytes()).unwrap();
    assert_eq!(String::from_utf8(final_msg).unwrap(), CLIENT_FINAL);
    assert_eq!(client.handle_server_final(SERVER_FINAL.as_bytes()), Ok(()));
}

#[test]
fn rfc7677_server_side() {
    let s = server();
    assert_eq!(s.username(), USER);
    let last = s.handle_client_final(CLIENT_FINAL.as_bytes()).unwrap();
    assert_eq!(String::from_utf8(last).unwrap(), SERVER_FINAL);
}

#[test]
fn both_sides_agree_on_other_names_and_nonces() {
    for (user, password) in [
        ("a,b=c", &b"x"[..]),
        ("aluno", b"senha secreta"),
        ("=", b""),
    ] {
        let (client, first) = ScramClient::new(user, password, "abc").unwrap();
        let (server, server_first) = ScramServer::handle_client_first(&first, "XYZ", |u| {
            assert_eq!(u, user, "the name comes back unescaped");
            Some(ScramCredentials::from_password(password, b"salt", 16))
        })
        .unwrap();
        let (client, client_final) = client.handle_server_first(&server_first).unwrap();
        let server_final = server.handle_client_final(&client_final).unwrap();
        assert_eq!(client.handle_server_final(&server_final), Ok(()));
    }
    let (_, first) = ScramClient::new("a,b=c", b"x", "n").unwrap();
    assert_eq!(first, b"n,,n=a=2Cb=3Dc,r=n");
}

#[test]
fn a_wrong_password_is_a_bad_proof() {
    let (client, first) = ScramClient::new(USER, b"pencil2", CNONCE).unwrap();
    assert_eq!(first, CLIENT_FIRST.as_bytes());
    let (_, final_msg) = client.handle_server_first(SERVER_FIRST.as_bytes()).unwrap();
    assert_eq!(
        server().handle_client_final(&final_msg),
        Err(ScramError::BadProof)
    );
    // One bit of the RFC's proof flipped.
    let tampered = CLIENT_FINAL.replace("p=dHzb", "p=dHzc");
    assert_eq!(
        server().handle_client_final(tampered.as_bytes()),
        Err(ScramError::BadProof)
    );
}

#[test]
fn a_server_that_does_not_know_the_password_is_caught() {
    // It answers with a signature made from another password.
    let (client, _) = ScramClient::new(USER, PASSWORD, CNONCE).unwrap();
    let (client, _) = client.handle_server_first(SERVER_FIRST.as_bytes()).unwrap();
    let (impostor, _) =
        ScramServer::handle_client_first(CLIENT_FIRST.as_bytes(), SNONCE, |_| Some(creds(b"x")))
            .unwrap();
    // The impostor cannot even check the proof; a signature from its keys:
    let auth = format!(
        "{},{SERVER_FIRST},{}",
        &CLIENT_FIRST[3..],
        &CLIENT_FINAL[..CLIENT_FINAL.find(",p=").unwrap()]
    );
    let forged = hmac(&impostor.credentials.server_key, auth.as_bytes());
    let forged = format!("v={}", STANDARD.encode(forged));
    assert_eq!(
        client.clone().handle_server_final(forged.as_bytes()),
        Err(ScramError::BadServerSignature)
    );
    assert_eq!(
        client.clone().handle_server_final(b"e=invalid-proof"),
        Err(ScramError::ServerError {
            value: "invalid-proof".into()
        })
    );
    assert_eq!(
        client.handle_server_final(b"v=c2hvcnQ="),
        Err(malformed(ScramMessage::ServerFinal, 2, Expected::Hash32))
    );
}

#[test]
fn nonces_must_belong_to_the_exchange() {
    let client = || ScramClient::new(USER, PASSWORD, CNONCE).unwrap().0;
    // The server's nonce must extend the client's, strictly.
    for bad in [
        "r=XOprNGfwEbeRWgbNEkqO%hvY,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
        "r=rOprNGfwEbeRWgbNEkqO,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
    ] {
        assert_eq!(
            client().handle_server_first(bad.as_bytes()).unwrap_err(),
            ScramError::NonceMismatch {
                message: ScramMessage::ServerFirst
            },
            "{bad}"
        );
    }
    // The client-final must repeat the whole combined nonce.
    let replayed = CLIENT_FINAL.replace("$k0,", "$k1,");
    assert_eq!(
        server().handle_client_final(replayed.as_bytes()),
        Err(ScramError::NonceMismatch {
            message: ScramMessage::ClientFinal
        })
    );
    // A nonce with a non-printable byte, from the driver or on the wire.
    assert_eq!(
        ScramClient::new(USER, PASSWORD, "ab c").unwrap_err(),
        malformed(ScramMessage::ClientFirst, 14, Expected::Nonce)
    );
    assert_eq!(
        ScramClient::new(USER, PASSWORD, "").unwrap_err(),
        malformed(ScramMessage::ClientFirst, 12, Expected::Nonce)
    );
}

#[test]
fn malformed_client_first_says_where() {
    let first = |m: &[u8]| {
        ScramServer::handle_client_first(m, "s", |_| Some(creds(PASSWORD))).map(|(_, f)| f)
    };
    use Expected::*;
    use ScramMessage::ClientFirst as CF;
    for (msg, err) in [
        (&b""[..], malformed(CF, 0, ChannelBindingFlag)),
        (b"x,,n=user,r=a", malformed(CF, 0, ChannelBindingFlag)),
        (b"n,n=user,r=a", malformed(CF, 2, Comma)),
        (b"n,,user,r=a", malformed(CF, 3, Attribute('n'))),
        (b"n,,n=user", malformed(CF, 9, Comma)),
        (b"n,,n=user,x=a", malformed(CF, 10, Attribute('r'))),
        (b"n,,n=us=er,r=a", malformed(CF, 7, SaslName)),
        (b"n,,n=,r=a", malformed(CF, 5, SaslName)),
        (b"n,,n=user,r=a,", malformed(CF, 14, End)),
        (b"n,,n=user,r=\xff", malformed(CF, 12, Utf8)),
        (
            b"p=tls-unique,,n=user,r=a",
            ScramError::ChannelBindingUnsupported,
        ),
        (b"n,a=admin,n=user,r=a", ScramError::AuthzidUnsupported),
        (
            b"n,,m=ext,n=user,r=a",
            ScramError::MandatoryExtension { message: CF },
        ),
    ] {
        assert_eq!(
            first(msg).unwrap_err(),
            err,
            "{}",
            String::from_utf8_lossy(msg)
        );
    }
    // `y` (client could bind, thinks the server cannot) and extensions are fine.
    assert!(first(b"y,,n=user,r=a,x=ext").is_ok());
    assert_eq!(
        ScramServer::handle_client_first(CLIENT_FIRST.as_bytes(), "s", |_| None).unwrap_err(),
        ScramError::UnknownUser {
            username: "user".into()
        }
    );
}

#[test]
fn malformed_server_first_says_where() {
    use Expected::*;
    use ScramMessage::ServerFirst as SF;
    let n = "r=rOprNGfwEbeRWgbNEkqOx";
    for (msg, err) in [
        (String::new(), malformed(SF, 0, Attribute('r'))),
        (format!("{n},i=1"), malformed(SF, 24, Attribute('s'))),
        (format!("{n},s=!!!,i=1"), malformed(SF, 26, Base64)),
        (format!("{n},s=c2FsdA=="), malformed(SF, 34, Comma)),
        (format!("{n},s=c2FsdA==,i=0"), malformed(SF, 37, Count)),
        (format!("{n},s=c2FsdA==,i=-1"), malformed(SF, 37, Count)),
        (format!("{n},s=c2FsdA==,i=+5"), malformed(SF, 37, Count)),
        (format!("{n},s=c2FsdA==,i=lots"), malformed(SF, 37, Count)),
        (
            format!("{n},s=c2FsdA==,i=4294967295"),
            ScramError::TooManyIterations {
                got: u32::MAX,
                max: MAX_ITERATIONS,
            },
        ),
        (
            "e=other-error".into(),
            ScramError::ServerError {
                value: "other-error".into(),
            },
        ),
        (
            format!("m=x,{n},s=c2FsdA==,i=1"),
            ScramError::MandatoryExtension { message: SF },
        ),
    ] {
        let client = ScramClient::new(USER, PASSWORD, CNONCE).unwrap().0;
        assert_eq!(
            client.handle_server_first(msg.as_bytes()).unwrap_err(),
            err,
            "{msg}"
        );
    }
}

#[test]
fn malformed_client_final_says_where() {
    use Expected::*;
    use ScramMessage::ClientFinal as CFin;
    let nonce = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    for (msg, err) in [
        (String::new(), malformed(CFin, 0, Attribute('c'))),
        (
            format!("c=biws,{nonce}"),
            malformed(CFin, 59, Attribute('p')),
        ),
        (format!("c=b!ws,{nonce},p=x"), malformed(CFin, 2, Base64)),
        (
            format!("c=biws,{nonce},p=c2hvcnQ="),
            malformed(CFin, 62, Hash32),
        ),
        (
            format!("{nonce},c=biws"),
            malformed(CFin, 0, Attribute('c')),
        ),
        // c=eSws is "y,,": not the "n,," the client-first sent.
        (
            format!("c=eSws,{nonce},p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="),
            ScramError::ChannelBindingMismatch,
        ),
    ] {
        assert_eq!(
            server().handle_client_final(msg.as_bytes()).unwrap_err(),
            err,
            "{msg}"
        );
    }
}

#[test]
fn errors_say_what_and_where_in_words() {
    let e = malformed(ScramMessage::ServerFirst, 39, Expected::Count);
    assert_eq!(
        e.to_string(),
        "malformed SCRAM server-first-message: expected an iteration count (a positive number) at byte 39 (RFC 5802 §7)"
    );
    assert_eq!(
        ScramError::BadProof.to_string(),
        "wrong SCRAM client proof: wrong password"
    );
    // Secrets stay out of Debug.
    let c = creds(PASSWORD);
    assert!(!format!("{c:?}").contains("stored_key"));
    let (client, _) = ScramClient::new(USER, PASSWORD, CNONCE).unwrap();
    assert!(!format!("{client:?}").contains("pencil"));
}
