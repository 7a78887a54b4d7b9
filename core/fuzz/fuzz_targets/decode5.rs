//! Any bytes through the MQTT 5.0 decoder, the level-learning `Decoder` and the
//! 5.0 dissection: no panic; the one-shot and streamed decodes agree whatever
//! the chunking; whatever decodes re-encodes to exactly the bytes it came
//! from; and the dissection shows an error exactly where the decoder refuses.
#![no_main]

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use mqttlab_core::codec::{dissect_as, render, v5, AnyPacket, Decoder, Protocol};

fuzz_target!(|data: &[u8]| {
    let Some((&knob, stream)) = data.split_first() else {
        return;
    };
    let chunk = usize::from(knob % 16) + 1;

    let mut whole = Vec::new();
    let mut at = 0;
    let mut whole_err = None;
    loop {
        match v5::decode(&stream[at..], usize::MAX) {
            Ok(Some((p, used))) => {
                assert!(used > 0 && at + used <= stream.len());
                let bytes = p.to_bytes().expect("a decoded 5.0 packet encodes");
                assert_eq!(bytes, &stream[at..at + used], "re-encodes exactly");
                let _ = p.to_string();
                whole.push(AnyPacket::V5(p));
                at += used;
            }
            Ok(None) => break,
            Err(e) => {
                let _ = e.to_string();
                whole_err = Some(e);
                break;
            }
        }
    }

    let mut d = Decoder::with_protocol(usize::MAX, Protocol::V5);
    let mut streamed = Vec::new();
    let mut stream_err = None;
    'feed: for piece in stream.chunks(chunk) {
        d.push(piece);
        loop {
            match d.next_any_frame() {
                Ok(Some((p, _))) => streamed.push(p),
                Ok(None) => break,
                Err(e) => {
                    stream_err = Some(e);
                    break 'feed;
                }
            }
        }
    }
    assert_eq!(streamed, whole);
    assert_eq!(stream_err, whole_err);

    // The dissection of the first packet agrees with the frame decoder.
    let tree = dissect_as(stream, Some(Protocol::V5));
    let _ = render(&tree);
    if let Some(root) = tree.first() {
        if root.range.end <= stream.len() {
            let frame = Bytes::copy_from_slice(&stream[root.range.clone()]);
            match v5::decode_frame(&frame) {
                Ok(_) => assert!(!root.has_error()),
                Err(_) => assert!(root.has_error()),
            }
        }
    }
});
