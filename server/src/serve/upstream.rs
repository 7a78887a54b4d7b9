//! The named upstream brokers a page may reach: `--bridge NAME=HOST:PORT`.
//!
//! Only these names are bridged; the page never chooses an address itself, so the
//! server is not an open proxy.

use std::fmt;

/// One `--bridge NAME=HOST:PORT`: a name the page uses in its URL and the TCP
/// address of an MQTT broker it stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upstream {
    /// The name in `ws://HOST:PORT/mqtt/<name>`.
    pub name: String,
    /// `host:port` of the broker's TCP listener, resolved at each connection.
    pub address: String,
}

impl Upstream {
    /// Parses `NAME=HOST:PORT`; the error says which part is wrong.
    pub fn parse(spec: &str) -> Result<Upstream, String> {
        let (name, address) = spec
            .split_once('=')
            .ok_or_else(|| format!("'{spec}' is not NAME=HOST:PORT (no '=')"))?;
        check_name(name).map_err(|e| format!("'{spec}': {e}"))?;
        check_address(address).map_err(|e| format!("'{spec}': {e}"))?;
        Ok(Upstream {
            name: name.to_owned(),
            address: address.to_owned(),
        })
    }
}

impl fmt::Display for Upstream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "'{}' ({})", self.name, self.address)
    }
}

/// Names are one URL path segment that needs no escaping.
fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("the name is empty".into());
    }
    if name.len() > 64 {
        return Err(format!("the name is {} bytes long, at most 64", name.len()));
    }
    match name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        Some(c) => Err(format!(
            "the name '{name}' contains {c:?}; use letters, digits, '-', '_' and '.'"
        )),
        None => Ok(()),
    }
}

fn check_address(address: &str) -> Result<(), String> {
    let (host, port) = address
        .rsplit_once(':')
        .ok_or_else(|| format!("the address '{address}' has no :PORT"))?;
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    if host.is_empty() {
        return Err(format!("the address '{address}' has no host"));
    }
    if host.contains(':') && !address.starts_with('[') {
        return Err(format!(
            "the address '{address}' is an IPv6 address without brackets; write [{host}]:{port}"
        ));
    }
    match port.parse::<u16>() {
        Ok(0) | Err(_) => Err(format!(
            "the port '{port}' in '{address}' is not a number from 1 to 65535"
        )),
        Ok(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_name_host_port() {
        let u = Upstream::parse("local=127.0.0.1:1883").unwrap();
        assert_eq!(u.name, "local");
        assert_eq!(u.address, "127.0.0.1:1883");
        assert_eq!(u.to_string(), "'local' (127.0.0.1:1883)");
        assert!(Upstream::parse("v6=[::1]:1883").is_ok());
        assert!(Upstream::parse("test.mosquitto=test.mosquitto.org:1883").is_ok());
    }

    #[test]
    fn refuses_what_is_not_name_host_port() {
        for (spec, says) in [
            ("127.0.0.1:1883", "no '='"),
            ("=127.0.0.1:1883", "name is empty"),
            ("a/b=127.0.0.1:1883", "contains '/'"),
            ("local=127.0.0.1", "no :PORT"),
            ("local=127.0.0.1:0", "not a number from 1 to 65535"),
            ("local=127.0.0.1:99999", "not a number from 1 to 65535"),
            ("local=:1883", "no host"),
            ("local=::1:1883", "without brackets"),
        ] {
            let err = Upstream::parse(spec).unwrap_err();
            assert!(err.contains(says), "{spec}: {err}");
        }
    }
}
