//! Hex text to bytes: what a student pastes from Wireshark ("Copy as Hex
//! Stream", "Copy as Hex + ASCII Dump"), `hexdump -C`, `xxd` or a log line, for
//! the web inspector and `mqttlab dissect` alike.

use core::fmt;

/// Hex that is not hex, with where it went wrong (1-based line and column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HexError {
    /// A character that is neither a hex digit nor a separator.
    BadChar {
        /// The character.
        ch: char,
        /// 1-based line.
        line: usize,
        /// 1-based column, in characters.
        column: usize,
    },
    /// A line holds an odd number of hex digits: half a byte.
    OddDigits {
        /// 1-based line.
        line: usize,
    },
    /// Nothing to dissect.
    Empty,
}

impl fmt::Display for HexError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HexError::BadChar { ch, line, column } => {
                write!(f, "not a hex digit: {ch:?} at line {line}, column {column}")
            }
            HexError::OddDigits { line } => write!(
                f,
                "odd number of hex digits on line {line}: a byte needs two"
            ),
            HexError::Empty => f.write_str("no hex bytes given"),
        }
    }
}

impl std::error::Error for HexError {}

/// Parses hex bytes. Separators (spaces, `:`, `-`, `,`, `0x` prefixes) are
/// skipped. A line starting with its own byte offset in hex, as in a hex dump,
/// has the offset removed and its ASCII column (after `|` or three spaces, or
/// past 16 bytes) ignored.
pub fn parse_hex(text: &str) -> Result<Vec<u8>, HexError> {
    let mut out = Vec::new();
    let mut in_dump = false;
    for (i, raw) in text.lines().enumerate() {
        let line_no = i + 1;
        let (body, col0) = strip_dump_offset(raw, out.len(), &mut in_dump);
        let mut digits: Vec<u8> = Vec::new();
        let mut line_bytes = Vec::new();
        let chars: Vec<char> = body.chars().collect();
        let mut j = 0;
        while j < chars.len() {
            let c = chars[j];
            if c == '0' && matches!(chars.get(j + 1), Some('x' | 'X')) && digits.is_empty() {
                j += 2;
                continue;
            }
            if let Some(d) = c.to_digit(16) {
                digits.push(d as u8);
                if digits.len() == 2 {
                    line_bytes.push(digits[0] << 4 | digits[1]);
                    digits.clear();
                }
            } else if c.is_whitespace() || matches!(c, ':' | '-' | ',') {
                if !digits.is_empty() {
                    return Err(HexError::OddDigits { line: line_no });
                }
            } else {
                return Err(HexError::BadChar {
                    ch: c,
                    line: line_no,
                    column: col0 + j + 1,
                });
            }
            j += 1;
        }
        if !digits.is_empty() {
            return Err(HexError::OddDigits { line: line_no });
        }
        out.extend(line_bytes);
    }
    if out.is_empty() {
        return Err(HexError::Empty);
    }
    Ok(out)
}

/// If `line` starts with the hex offset `expected` (a dump line), returns the
/// hex part without offset and ASCII column, and the column it starts at. The
/// offset must equal the bytes read so far, which tells `0010 61 67` (a dump)
/// from `3312 0006` (grouped bytes). Once in a dump, a line holding only the
/// final offset (as `hexdump` ends) is dropped.
fn strip_dump_offset<'a>(line: &'a str, expected: usize, in_dump: &mut bool) -> (&'a str, usize) {
    let trimmed = line.trim_start();
    let lead = line.len() - trimmed.len();
    let end = trimmed.find(char::is_whitespace).unwrap_or(trimmed.len());
    let token = trimmed[..end].trim_end_matches(':');
    let is_offset = token.len() >= 4
        && token.chars().all(|c| c.is_ascii_hexdigit())
        && usize::from_str_radix(token, 16).ok() == Some(expected);
    let has_rest = !trimmed[end..].trim().is_empty();
    if is_offset && !has_rest && *in_dump {
        return ("", 0);
    }
    if !is_offset || !has_rest {
        return (line, 0);
    }
    *in_dump = true;
    let start = lead + end;
    let rest = &line[start..];
    // The ASCII column: after '|' (hexdump -C) or a gap of three or more spaces
    // following the bytes (Wireshark, xxd uses two: handled by the 16-byte cap).
    let rest_trim = rest.trim_start();
    let skip = rest.len() - rest_trim.len();
    let mut cut = rest_trim.len();
    if let Some(p) = rest_trim.find('|') {
        cut = cut.min(p);
    }
    if let Some(p) = rest_trim.find("   ") {
        cut = cut.min(p);
    }
    // At most 16 bytes (32 hex digits) a dump line.
    let mut n = 0;
    for (k, c) in rest_trim[..cut].char_indices() {
        if c.is_ascii_hexdigit() {
            n += 1;
            if n == 32 {
                cut = k + 1;
                break;
            }
        }
    }
    (&rest_trim[..cut], start + skip)
}

#[cfg(test)]
mod tests {
    use super::*;

    const COURSE: [u8; 20] = [
        0x33, 0x12, 0x00, 0x06, b't', b'o', b'p', b'i', b'c', b'o', 0x00, 0x01, b'm', b'e', b'n',
        b's', b'a', b'g', b'e', b'm',
    ];

    #[test]
    fn hex_stream_spaces_colons_and_0x() {
        assert_eq!(
            parse_hex("331200067470696330010000").unwrap()[..3],
            [0x33, 0x12, 0x00]
        );
        assert_eq!(parse_hex("33 12\n00:06").unwrap(), [0x33, 0x12, 0x00, 0x06]);
        assert_eq!(parse_hex("0x33, 0x12").unwrap(), [0x33, 0x12]);
    }

    #[test]
    fn wireshark_and_hexdump_dumps() {
        let wireshark =
            "0000   33 12 00 06 74 6f 70 69 63 6f 00 01 6d 65 6e 73   3...topico..mens\n\
                         0010   61 67 65 6d                                       agem\n";
        assert_eq!(parse_hex(wireshark).unwrap(), COURSE);
        let hexdump =
            "00000000  33 12 00 06 74 6f 70 69  63 6f 00 01 6d 65 6e 73  |3...topico..mens|\n\
                       00000010  61 67 65 6d                                       |agem|\n\
                       00000014\n";
        assert_eq!(parse_hex(hexdump).unwrap(), COURSE);
        let xxd = "00000000: 3312 0006 746f 7069 636f 0001 6d65 6e73  3...topico..mens\n\
                   00000010: 6167 656d                                agem\n";
        assert_eq!(parse_hex(xxd).unwrap(), COURSE);
    }

    #[test]
    fn bad_hex_names_the_position() {
        assert_eq!(
            parse_hex("33 12\n00 0g").unwrap_err().to_string(),
            "not a hex digit: 'g' at line 2, column 5"
        );
        assert_eq!(
            parse_hex("33 1").unwrap_err(),
            HexError::OddDigits { line: 1 }
        );
        assert_eq!(parse_hex("  \n").unwrap_err(), HexError::Empty);
    }
}
