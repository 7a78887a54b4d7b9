//! Numbers as decimal text without `core::fmt`: the trace's lines and the
//! broker's log write numbers for every packet, and the formatting machinery's
//! padding checks cost more than the digits themselves.

/// `n` in decimal, written into `buf`.
pub(crate) fn digits(n: u64, buf: &mut [u8; 20]) -> &str {
    let mut i = buf.len();
    let mut n = n;
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    // ASCII digits only.
    core::str::from_utf8(&buf[i..]).unwrap_or_default()
}

/// Appends `n` in decimal.
pub(crate) fn push(out: &mut String, n: u64) {
    out.push_str(digits(n, &mut [0; 20]));
}

#[cfg(test)]
mod tests {
    #[test]
    fn digits_are_display_s() {
        for n in [0, 7, 10, 65_535, 1_000_000, u64::MAX] {
            let mut s = String::from("x");
            super::push(&mut s, n);
            assert_eq!(s, format!("x{n}"));
        }
    }
}
