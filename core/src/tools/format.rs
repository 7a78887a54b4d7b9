//! What `mosquitto_sub` 2.0.11 writes for one message (`client/sub_client_output.c`):
//! the payload, `topic payload` with `-v`, or a `-F` format; a newline unless `-N`.

use crate::codec::properties::{Property, PropertyId};
use crate::codec::Publish;

use super::cli::SubArgs;

/// The wall clock a `-F` time field reads: microseconds since the UNIX epoch, UTC.
/// The driver says what its origin is worth ([`super::Tool::set_epoch`]); the
/// simulator's clock starts at the epoch.
pub type WallMicros = u64;

/// The bytes `mosquitto_sub` writes to standard output for `publish`, with the
/// wall clock at 0 (`-F` time fields read 1970-01-01).
pub fn format_message(args: &SubArgs, publish: &Publish) -> Vec<u8> {
    render(args, publish, 0)
}

/// The bytes `mosquitto_sub` writes for `publish` at wall time `wall`.
pub fn render(args: &SubArgs, p: &Publish, wall: WallMicros) -> Vec<u8> {
    render_with(args, p, &[], wall)
}

/// [`render`] for a message with MQTT 5.0 properties (the `-F` specifiers
/// `%A %C %D %E %F %P %R %S`, and `%j`'s `properties`).
pub fn render_with(args: &SubArgs, p: &Publish, props: &[Property], wall: WallMicros) -> Vec<u8> {
    let mut out = Vec::with_capacity(p.payload.len() + p.topic.as_str().len() + 8);
    let eol = !args.no_eol;
    if let Some(f) = &args.format {
        formatted(&mut out, f.as_bytes(), p, props, wall);
        if eol {
            out.push(b'\n');
        }
    } else if args.verbose {
        if !p.payload.is_empty() {
            out.extend_from_slice(p.topic.as_str().as_bytes());
            out.push(b' ');
            out.extend_from_slice(&p.payload);
            if eol {
                out.push(b'\n');
            }
        } else if eol {
            out.extend_from_slice(p.topic.as_str().as_bytes());
            out.extend_from_slice(b" (null)\n");
        }
    } else if !p.payload.is_empty() {
        out.extend_from_slice(&p.payload);
        if eol {
            out.push(b'\n');
        }
    }
    out
}

/// `check_format` of `client_shared.c`: a `-F` format with a `%`, `@` or `\\`
/// at its end, or an unknown `%` or `\\` specifier, is refused with mosquitto's
/// message (its C text, newline included).
pub fn check_format(format: &str) -> Result<(), String> {
    const INCOMPLETE: &str = "Error: Incomplete format specifier.\n";
    let f = format.as_bytes();
    let len = f.len();
    let mut i = 0;
    while i < len {
        match f[i] {
            b'%' => {
                if i == len - 1 {
                    return Err(INCOMPLETE.into());
                }
                if f[i + 1] == b'0' || f[i + 1] == b'-' {
                    i += 1;
                    if i == len - 1 {
                        return Err(INCOMPLETE.into());
                    }
                }
                while f[i + 1].is_ascii_digit() {
                    i += 1;
                    if i == len - 1 {
                        return Err(INCOMPLETE.into());
                    }
                }
                if f[i + 1] == b'.' {
                    i += 1;
                    if i == len - 1 {
                        return Err(INCOMPLETE.into());
                    }
                    while f[i + 1].is_ascii_digit() {
                        i += 1;
                        if i == len - 1 {
                            return Err(INCOMPLETE.into());
                        }
                    }
                }
                match f[i + 1] {
                    b'%' | b'A' | b'C' | b'D' | b'E' | b'F' | b'I' | b'l' | b'm' | b'P' | b'p'
                    | b'q' | b'R' | b'S' | b'r' | b't' | b'j' | b'J' | b'U' | b'x' | b'X' => {}
                    c => {
                        return Err(format!(
                            "Error: Invalid format specifier '{}'.\n",
                            char::from(c)
                        ))
                    }
                }
                i += 1;
            }
            b'@' => {
                if i == len - 1 {
                    return Err(INCOMPLETE.into());
                }
                i += 1;
            }
            b'\\' => {
                if i == len - 1 {
                    return Err("Error: Incomplete escape specifier.\n".into());
                }
                match f[i + 1] {
                    b'\\' | b'0' | b'a' | b'e' | b'n' | b'r' | b't' | b'v' => {}
                    c => {
                        return Err(format!(
                            "Error: Invalid escape specifier '{}'.\n",
                            char::from(c)
                        ))
                    }
                }
                i += 1;
            }
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

/// One `%` field's modifiers: `-` (left align), `0` (zero pad), width, precision.
#[derive(Clone, Copy)]
struct Spec {
    left: bool,
    zero: bool,
    width: usize,
    precision: Option<usize>,
}

fn formatted(out: &mut Vec<u8>, f: &[u8], p: &Publish, props: &[Property], wall: WallMicros) {
    let len = f.len();
    let mut i = 0;
    while i < len {
        match f[i] {
            b'%' => {
                let mut spec = Spec {
                    left: false,
                    zero: false,
                    width: 0,
                    precision: None,
                };
                if i < len - 1 {
                    i += 1;
                    if f[i] == b'-' {
                        spec.left = true;
                        if i < len - 1 {
                            i += 1;
                        }
                    }
                    if f[i] == b'0' {
                        spec.zero = true;
                        if i < len - 1 {
                            i += 1;
                        }
                    }
                    while i < len - 1 && f[i].is_ascii_digit() {
                        spec.width = spec.width.saturating_mul(10) + usize::from(f[i] - b'0');
                        i += 1;
                    }
                    if f[i] == b'.' && i < len - 1 {
                        i += 1;
                        let mut prec = 0usize;
                        while i < len - 1 && f[i].is_ascii_digit() {
                            prec = prec.saturating_mul(10) + usize::from(f[i] - b'0');
                            i += 1;
                        }
                        spec.precision = Some(prec);
                    }
                    percent(out, f[i], spec, p, props, wall);
                }
            }
            b'@' => {
                if i < len - 1 {
                    i += 1;
                    if f[i] == b'@' {
                        out.push(b'@');
                    } else if f[i] == b'N' {
                        out.extend_from_slice(
                            format!("{:09}", (wall % 1_000_000) * 1000).as_bytes(),
                        );
                    } else {
                        out.extend_from_slice(strftime(f[i], wall).as_bytes());
                    }
                }
            }
            b'\\' => {
                if i < len - 1 {
                    i += 1;
                    let c = match f[i] {
                        b'\\' => Some(b'\\'),
                        b'0' => Some(0),
                        b'a' => Some(7),
                        b'e' => Some(0x1b),
                        b'n' => Some(b'\n'),
                        b'r' => Some(b'\r'),
                        b't' => Some(b'\t'),
                        b'v' => Some(0x0b),
                        _ => None,
                    };
                    out.extend(c);
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
}

fn percent(out: &mut Vec<u8>, c: u8, s: Spec, p: &Publish, props: &[Property], wall: WallMicros) {
    let mid = p.qospid.pid().map_or(0, |m| m.get());
    match c {
        b'%' => out.push(b'%'),
        b'l' => int(out, p.payload.len() as u64, s),
        b'm' => int(out, u64::from(mid), s),
        b'q' => out.push(b'0' + p.qos().as_u8()),
        b'r' => out.push(if p.retain { b'1' } else { b'0' }),
        b't' => string(out, p.topic.as_str().as_bytes(), s),
        b'p' => payload(out, &p.payload, 0, s),
        b'x' => payload(out, &p.payload, 1, s),
        b'X' => payload(out, &p.payload, 2, s),
        b'I' => string(out, iso8601(wall, false).as_bytes(), s),
        b'U' => out.extend_from_slice(
            format!("{}.{:09}", wall / 1_000_000, (wall % 1_000_000) * 1000).as_bytes(),
        ),
        b'j' => json(out, p, props, wall, false),
        // The payload as JSON: embedded as it is (cJSON reprints compact JSON
        // unchanged); a payload that is not JSON prints nothing.
        b'J' if json_value_ok(&p.payload) => json(out, p, props, wall, true),
        // MQTT 5.0 properties: the first of each (a 3.1.1 message has none).
        // Integers as C's `(int)`, absent ones as blanks of the width.
        b'A' | b'E' | b'F' | b'S' => {
            let id = match c {
                b'A' => PropertyId::TopicAlias,
                b'E' => PropertyId::MessageExpiryInterval,
                b'F' => PropertyId::PayloadFormatIndicator,
                _ => PropertyId::SubscriptionIdentifier,
            };
            match props.iter().find(|q| q.id() == id).map(Property::value) {
                Some(crate::codec::properties::ValueRef::Int(v)) => signed(out, v as i32, s),
                _ => out.extend(std::iter::repeat_n(pad(s), s.width)),
            }
        }
        b'C' => match props.iter().find_map(|q| match q {
            Property::ContentType(v) => Some(v.0.as_bytes()),
            _ => None,
        }) {
            Some(v) => string(out, v, s),
            None => out.extend(std::iter::repeat_n(b' ', s.width)),
        },
        b'D' => {
            if let Some(v) = props.iter().find_map(|q| match q {
                Property::CorrelationData(v) => Some(&v.0),
                _ => None,
            }) {
                out.extend_from_slice(v);
            }
        }
        b'R' => {
            if let Some(v) = props.iter().find_map(|q| match q {
                Property::ResponseTopic(v) => Some(v.0.as_bytes()),
                _ => None,
            }) {
                string(out, v, s);
            }
        }
        b'P' => {
            let mut first = true;
            for q in props {
                if let Property::UserProperty(v) = q {
                    if !first {
                        out.push(b' ');
                    }
                    first = false;
                    out.extend_from_slice(v.0 .0.as_bytes());
                    out.push(b':');
                    out.extend_from_slice(v.0 .1.as_bytes());
                }
            }
        }
        _ => {}
    }
}

/// printf's `%d` of a C `int`, with `-`, `0` and a width.
fn signed(out: &mut Vec<u8>, v: i32, s: Spec) {
    let digits = v.to_string();
    let fill = s.width.saturating_sub(digits.len());
    if s.left {
        out.extend_from_slice(digits.as_bytes());
        out.extend(std::iter::repeat_n(b' ', fill));
    } else if s.zero && v < 0 {
        out.push(b'-');
        out.extend(std::iter::repeat_n(b'0', fill));
        out.extend_from_slice(&digits.as_bytes()[1..]);
    } else {
        out.extend(std::iter::repeat_n(pad(s), fill));
        out.extend_from_slice(digits.as_bytes());
    }
}

fn pad(s: Spec) -> u8 {
    if s.zero {
        b'0'
    } else {
        b' '
    }
}

/// printf's `%d` with `-`, `0` and a width.
fn int(out: &mut Vec<u8>, v: u64, s: Spec) {
    let digits = v.to_string();
    let fill = s.width.saturating_sub(digits.len());
    if s.left {
        out.extend_from_slice(digits.as_bytes());
        out.extend(std::iter::repeat_n(b' ', fill));
    } else {
        out.extend(std::iter::repeat_n(pad(s), fill));
        out.extend_from_slice(digits.as_bytes());
    }
}

/// printf's `%s` with `-`, a width and a precision.
fn string(out: &mut Vec<u8>, v: &[u8], s: Spec) {
    let v = match s.precision {
        Some(p) if p < v.len() => &v[..p],
        _ => v,
    };
    let fill = s.width.saturating_sub(v.len());
    if !s.left {
        out.extend(std::iter::repeat_n(b' ', fill));
    }
    out.extend_from_slice(v);
    if s.left {
        out.extend(std::iter::repeat_n(b' ', fill));
    }
}

/// `write_payload`: raw (0), lower-case hex (1) or upper-case hex (2), cut to
/// the width and padded to it.
fn payload(out: &mut Vec<u8>, v: &[u8], hex: u8, s: Spec) {
    let mut n = v.len();
    let padlen;
    if s.width > 0 {
        n = n.min(s.width);
        if hex > 0 {
            n /= 2;
            padlen = s.width.saturating_sub(n * 2);
        } else {
            padlen = s.width.saturating_sub(n);
        }
    } else {
        padlen = 0;
    }
    if !s.left {
        out.extend(std::iter::repeat_n(pad(s), padlen));
    }
    for b in &v[..n] {
        match hex {
            0 => out.push(*b),
            1 => out.extend_from_slice(format!("{b:02x}").as_bytes()),
            _ => out.extend_from_slice(format!("{b:02X}").as_bytes()),
        }
    }
    if s.left {
        out.extend(std::iter::repeat_n(b' ', padlen));
    }
}

/// `%j`: the message as one line of JSON, as cJSON prints it.
fn json(out: &mut Vec<u8>, p: &Publish, props: &[Property], wall: WallMicros, raw: bool) {
    out.extend_from_slice(b"{\"tst\":\"");
    out.extend_from_slice(iso8601(wall, true).as_bytes());
    out.extend_from_slice(b"\",\"topic\":");
    json_string(out, p.topic.as_str().as_bytes());
    out.extend_from_slice(
        format!(
            ",\"qos\":{},\"retain\":{},\"payloadlen\":{}",
            p.qos().as_u8(),
            u8::from(p.retain),
            p.payload.len()
        )
        .as_bytes(),
    );
    if let Some(mid) = p.qospid.pid() {
        out.extend_from_slice(format!(",\"mid\":{mid}").as_bytes());
    }
    if !props.is_empty() {
        json_properties(out, props);
    }
    out.extend_from_slice(b",\"payload\":");
    if raw {
        out.extend_from_slice(p.payload.trim_ascii());
    } else {
        json_string(out, &p.payload);
    }
    out.push(b'}');
}

/// `json_print_properties`: the message's properties in wire order, user
/// properties gathered into one object where the first one was.
fn json_properties(out: &mut Vec<u8>, props: &[Property]) {
    use crate::codec::properties::ValueRef;
    let mut items: Vec<Vec<u8>> = Vec::new();
    let mut user: Option<(usize, Vec<u8>)> = None;
    for p in props {
        let name = super::props::property_name(p.id());
        let mut item = Vec::new();
        match (p, p.value()) {
            (Property::UserProperty(kv), _) => {
                let (at, obj) = user.get_or_insert_with(|| {
                    items.push(Vec::new());
                    (items.len() - 1, Vec::new())
                });
                let _ = at;
                if !obj.is_empty() {
                    obj.push(b',');
                }
                json_string(obj, kv.0 .0.as_bytes());
                obj.push(b':');
                json_string(obj, kv.0 .1.as_bytes());
                continue;
            }
            (Property::CorrelationData(v), _) => {
                // cJSON_CreateString on the bytes: a C string ends at NUL.
                let end = v.0.iter().position(|b| *b == 0).unwrap_or(v.0.len());
                json_string(&mut item, &v.0[..end]);
            }
            (_, ValueRef::Int(n)) => item.extend_from_slice(n.to_string().as_bytes()),
            (_, ValueRef::Str(v)) => json_string(&mut item, v.as_bytes()),
            _ => continue,
        }
        let mut entry = Vec::new();
        json_string(&mut entry, name.as_bytes());
        entry.push(b':');
        entry.extend_from_slice(&item);
        items.push(entry);
    }
    if let Some((at, obj)) = user {
        let mut entry = b"\"user-properties\":{".to_vec();
        entry.extend_from_slice(&obj);
        entry.push(b'}');
        items[at] = entry;
    }
    out.extend_from_slice(b",\"properties\":{");
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(item);
    }
    out.push(b'}');
}

fn json_string(out: &mut Vec<u8>, v: &[u8]) {
    out.push(b'"');
    for &b in v {
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            c if c < 0x20 => out.extend_from_slice(format!("\\u{c:04x}").as_bytes()),
            c => out.push(c),
        }
    }
    out.push(b'"');
}

/// Whether the payload is one JSON value (what `%J` needs); a light check of
/// balanced brackets and quotes, enough to refuse plain text.
fn json_value_ok(v: &[u8]) -> bool {
    let t = v.trim_ascii();
    let Some(first) = t.first() else {
        return false;
    };
    matches!(
        first,
        b'{' | b'[' | b'"' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n'
    )
}

/// UTC date and time of `wall`: `2020-05-06T21:48:00+0000`, or with `micros`
/// the `%j` form `2020-05-06T21:48:00.000001Z+0000` (mosquitto_sub 2.0.11 writes
/// both the `Z` and the offset there).
fn iso8601(wall: WallMicros, micros: bool) -> String {
    let (y, mo, d, h, mi, s) = civil(wall / 1_000_000);
    if micros {
        format!(
            "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{:06}Z+0000",
            wall % 1_000_000
        )
    } else {
        format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}+0000")
    }
}

/// `@X`: one strftime conversion of the wall clock, in UTC.
fn strftime(c: u8, wall: WallMicros) -> String {
    let secs = wall / 1_000_000;
    let (y, mo, d, h, mi, s) = civil(secs);
    match c {
        b'Y' => format!("{y:04}"),
        b'y' => format!("{:02}", y % 100),
        b'm' => format!("{mo:02}"),
        b'd' => format!("{d:02}"),
        b'e' => format!("{d:2}"),
        b'H' => format!("{h:02}"),
        b'M' => format!("{mi:02}"),
        b'S' => format!("{s:02}"),
        b'F' => format!("{y:04}-{mo:02}-{d:02}"),
        b'T' => format!("{h:02}:{mi:02}:{s:02}"),
        b'D' => format!("{mo:02}/{d:02}/{:02}", y % 100),
        b'R' => format!("{h:02}:{mi:02}"),
        b's' => secs.to_string(),
        b'z' => "+0000".into(),
        b'Z' => "UTC".into(),
        b'j' => {
            let (y0, _, _, _, _, _) = civil(secs);
            let jan1 = days_from_civil(y0, 1, 1);
            format!("{:03}", secs / 86_400 - jan1 + 1)
        }
        _ => String::new(),
    }
}

/// Days since 1970-01-01 of a date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: u32, d: u32) -> u64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    u64::try_from(era * 146_097 + doe - 719_468).unwrap_or(0)
}

/// The UTC calendar date and time of a UNIX time in seconds.
fn civil(secs: u64) -> (i64, u32, u32, u64, u64, u64) {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d, rem / 3600, rem % 3600 / 60, rem % 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::{Pid, QosPid};
    use crate::tools::cli::{parse_command_line, ToolCommand};
    use crate::topic::TopicName;

    fn msg(payload: &'static [u8], qospid: QosPid, retain: bool) -> Publish {
        Publish {
            dup: false,
            qospid,
            retain,
            topic: TopicName::new("casa/sala").unwrap(),
            payload: bytes::Bytes::from_static(payload),
        }
    }

    fn sub(l: &str) -> SubArgs {
        match parse_command_line(l).unwrap() {
            ToolCommand::Sub(s) => s,
            _ => unreachable!(),
        }
    }

    #[test]
    fn plain_verbose_and_no_eol() {
        let m = msg(b"21.5", QosPid::AtMostOnce, false);
        let e = msg(b"", QosPid::AtMostOnce, false);
        assert_eq!(format_message(&sub("mosquitto_sub -t '#'"), &m), b"21.5\n");
        assert_eq!(
            format_message(&sub("mosquitto_sub -t '#' -v"), &m),
            b"casa/sala 21.5\n"
        );
        assert_eq!(format_message(&sub("mosquitto_sub -t '#' -N"), &m), b"21.5");
        assert_eq!(format_message(&sub("mosquitto_sub -t '#'"), &e), b"");
        assert_eq!(
            format_message(&sub("mosquitto_sub -t '#' -v"), &e),
            b"casa/sala (null)\n"
        );
        // -v -N with an empty payload prints nothing at all.
        assert_eq!(format_message(&sub("mosquitto_sub -t '#' -v -N"), &e), b"");
    }

    #[test]
    fn formats_fields_widths_and_escapes() {
        let m = msg(b"hi", QosPid::AtLeastOnce(Pid::new(7).unwrap()), true);
        let f = |fmt: &str| {
            let mut s = sub("mosquitto_sub -t '#'");
            s.format = Some(fmt.to_owned());
            String::from_utf8(render(&s, &m, 1_588_801_680_000_001)).unwrap()
        };
        assert_eq!(f("%t %p q%q r%r m%m l%l"), "casa/sala hi q1 r1 m7 l2\n");
        assert_eq!(
            f("[%5p][%-5p][%05l][%.3t][%x][%X]"),
            "[   hi][hi   ][00002][cas][6869][6869]\n"
        );
        assert_eq!(f("a\\tb\\\\%%@@"), "a\tb\\%@\n");
        assert_eq!(f("%I"), "2020-05-06T21:48:00+0000\n");
        assert_eq!(f("@Y-@m-@d @H:@M:@S @N"), "2020-05-06 21:48:00 000001000\n");
        assert_eq!(f("%U"), "1588801680.000001000\n");
        assert_eq!(
            f("%j"),
            "{\"tst\":\"2020-05-06T21:48:00.000001Z+0000\",\"topic\":\"casa/sala\",\"qos\":1,\"retain\":1,\"payloadlen\":2,\"mid\":7,\"payload\":\"hi\"}\n"
        );
    }

    #[test]
    fn civil_dates() {
        assert_eq!(civil(0), (1970, 1, 1, 0, 0, 0));
        assert_eq!(civil(951_782_400), (2000, 2, 29, 0, 0, 0));
        assert_eq!(days_from_civil(2000, 2, 29), 11_016);
    }
}
