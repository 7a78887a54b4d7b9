//! Durations, percentages and rates as scenarios write them: `5ms`, `1.5s`,
//! `1m30s`, `2h`; `1%`, `0.5%`; `56kbit`, `1mbit`.

use core::time::Duration;

/// Parses a duration: one or more `NUMBER UNIT` pairs, units `us`, `ms`, `s`,
/// `m`, `h`; a bare number is seconds.
pub fn parse_duration(s: &str) -> Option<Duration> {
    if s.is_empty() {
        return None;
    }
    if let Some(us) = parse_fixed(s, 1_000_000) {
        return Some(Duration::from_micros(us));
    }
    let mut total: u64 = 0;
    let mut rest = s;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if num_len == 0 {
            return None;
        }
        let (num, tail) = rest.split_at(num_len);
        let unit_len = tail
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(tail.len());
        let (unit, next) = tail.split_at(unit_len);
        let scale: u64 = match unit {
            "us" | "µs" => 1,
            "ms" => 1_000,
            "s" => 1_000_000,
            "m" | "min" => 60_000_000,
            "h" => 3_600_000_000,
            _ => return None,
        };
        total = total.checked_add(parse_fixed(num, scale)?)?;
        rest = next;
    }
    Some(Duration::from_micros(total))
}

/// `12.5` times `scale`, exactly (no floats), or `None`.
fn parse_fixed(num: &str, scale: u64) -> Option<u64> {
    let (int, frac) = match num.split_once('.') {
        Some((i, f)) => (i, f),
        None => (num, ""),
    };
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    if !int.chars().all(|c| c.is_ascii_digit()) || !frac.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let i: u64 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let mut v = i.checked_mul(scale)?;
    let mut unit = scale;
    for d in frac.chars() {
        unit /= 10;
        if unit == 0 {
            break;
        }
        v = v.checked_add(u64::from(d.to_digit(10)?) * unit)?;
    }
    Some(v)
}

/// Parses `1%` or `0.25%` into parts per million (at most 100 %).
pub fn parse_percent(s: &str) -> Option<u32> {
    let n = s.strip_suffix('%')?;
    let ppm = parse_fixed(n, 10_000)?;
    (ppm <= 1_000_000).then_some(ppm as u32)
}

/// Parses a rate: `1000bps`, `56kbit`, `1mbit`, `1gbit` into bits per second.
pub fn parse_rate(s: &str) -> Option<u64> {
    let lower = s.to_ascii_lowercase();
    for (suffix, scale) in [
        ("gbit", 1_000_000_000u64),
        ("mbit", 1_000_000),
        ("kbit", 1_000),
        ("bps", 1),
        ("bit", 1),
    ] {
        if let Some(n) = lower.strip_suffix(suffix) {
            return parse_fixed(n, scale).filter(|v| *v > 0);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_parse_exactly() {
        assert_eq!(parse_duration("5ms"), Some(Duration::from_millis(5)));
        assert_eq!(parse_duration("1.5s"), Some(Duration::from_millis(1500)));
        assert_eq!(parse_duration("1m30s"), Some(Duration::from_secs(90)));
        assert_eq!(parse_duration("2h"), Some(Duration::from_secs(7200)));
        assert_eq!(parse_duration("35"), Some(Duration::from_secs(35)));
        assert_eq!(parse_duration("s"), None);
        assert_eq!(parse_duration("5x"), None);
        assert_eq!(parse_duration("99999999999999999999h"), None);
        assert_eq!(parse_percent("1%"), Some(10_000));
        assert_eq!(parse_percent("0.5%"), Some(5_000));
        assert_eq!(parse_percent("101%"), None);
        assert_eq!(parse_rate("56kbit"), Some(56_000));
        assert_eq!(parse_rate("1mbit"), Some(1_000_000));
    }
}
