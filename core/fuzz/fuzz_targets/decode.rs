//! Any bytes through `decode` and the streaming `Decoder`: no panic, the two agree
//! whatever the chunking, and whatever decodes re-encodes to bytes that decode to
//! the same packet.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mqttlab_core::codec::{decode, Decoder, Packet};

fuzz_target!(|data: &[u8]| {
    // The first byte picks a chunk size and a size limit; the rest is the stream.
    let Some((&knob, stream)) = data.split_first() else {
        return;
    };
    let chunk = usize::from(knob % 16) + 1;
    let max = if knob & 0x80 != 0 { 64 } else { usize::MAX };

    // One shot: packets from the front of the buffer until an error or need-more.
    let mut whole: Vec<Packet> = Vec::new();
    let mut at = 0;
    let mut whole_err = None;
    loop {
        match decode(&stream[at..], max) {
            Ok(Some((p, used))) => {
                assert!(used > 0 && at + used <= stream.len());
                let bytes = p.to_bytes().expect("a decoded packet encodes");
                let (again, n) = decode(&bytes, usize::MAX).unwrap().unwrap();
                assert_eq!((&again, n), (&p, bytes.len()));
                let _ = p.to_string();
                whole.push(p);
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

    // Streaming in chunks: the same packets, then the same error.
    let mut d = Decoder::new(max);
    let mut streamed = Vec::new();
    let mut stream_err = None;
    'feed: for piece in stream.chunks(chunk) {
        d.push(piece);
        loop {
            match d.next_packet() {
                Ok(Some(p)) => streamed.push(p),
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
});
