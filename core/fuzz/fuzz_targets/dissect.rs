//! Any bytes through the dissector: no panic, every range inside the buffer and
//! inside its parent, packets one after the other, and an error node exactly when
//! the decoder refuses the packet.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mqttlab_core::codec::{decode, dissect, render, Field};

fn check(f: &Field, outer: &core::ops::Range<usize>) {
    assert!(f.range.start <= f.range.end);
    assert!(outer.start <= f.range.start && f.range.end <= outer.end);
    for c in &f.children {
        check(c, &f.range);
    }
}

fuzz_target!(|data: &[u8]| {
    let tree = dissect(data);
    let _ = render(&tree);
    let mut next = 0;
    for root in &tree {
        check(root, &(0..data.len()));
        assert_eq!(root.range.start, next);
        next = root.range.end;
        let packet = &data[root.range.clone()];
        match decode(packet, usize::MAX) {
            Ok(Some((_, used))) if used == packet.len() => assert!(!root.has_error()),
            _ => assert!(root.has_error()),
        }
    }
    assert!(tree.is_empty() == data.is_empty());
});
