//! Which web pages may open bridge sockets: the `Origin` check.
//!
//! A browser sends `Origin` with every WebSocket handshake and a page cannot
//! forge it, so checking it stops a page from another site from using a
//! student's browser to reach the classroom broker. By default only pages served
//! by this server (same host and port as the `Host` header) pass;
//! `--allow-origin` adds others, `--allow-origin '*'` lets any page in.
//! A handshake without `Origin` does not come from a browser page (MQTT.js in
//! node, a native client) and passes: the check protects browsers, it is not
//! authentication.

use std::fmt;

/// A parsed web origin: `scheme://host[:port]`, the port filled in from the
/// scheme when left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    scheme: String,
    host: String,
    port: u16,
}

impl Origin {
    /// Parses an origin as browsers send it (`http://127.0.0.1:8080`).
    pub fn parse(s: &str) -> Result<Origin, String> {
        let (scheme, authority) = s
            .split_once("://")
            .ok_or_else(|| format!("origin '{s}' is not scheme://host[:port]"))?;
        let scheme = scheme.to_ascii_lowercase();
        let default_port = default_port(&scheme)
            .ok_or_else(|| format!("origin '{s}': scheme '{scheme}' is not http(s)"))?;
        let authority = authority.strip_suffix('/').unwrap_or(authority);
        let (host, port) = split_authority(authority)
            .ok_or_else(|| format!("origin '{s}' has no valid host[:port]"))?;
        Ok(Origin {
            scheme,
            host,
            port: port.unwrap_or(default_port),
        })
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}", self.scheme, self.host)?;
        if Some(self.port) != default_port(&self.scheme) {
            write!(f, ":{}", self.port)?;
        }
        Ok(())
    }
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" | "ws" => Some(80),
        "https" | "wss" => Some(443),
        _ => None,
    }
}

/// `host[:port]` or `[v6][:port]`, host lowercased; `None` if malformed.
fn split_authority(authority: &str) -> Option<(String, Option<u16>)> {
    if authority.is_empty() || authority.contains(['/', '@', ' ']) {
        return None;
    }
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let (v6, after) = rest.split_once(']')?;
        match after {
            "" => (format!("[{v6}]"), None),
            p => (format!("[{v6}]"), Some(p.strip_prefix(':')?)),
        }
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h.to_owned(), Some(p)),
            None => (authority.to_owned(), None),
        }
    };
    if host.is_empty() {
        return None;
    }
    let port = match port {
        Some(p) => Some(p.parse::<u16>().ok()?),
        None => None,
    };
    Some((host.to_ascii_lowercase(), port))
}

/// The origins allowed to open bridge sockets.
#[derive(Debug, Clone, Default)]
pub struct OriginPolicy {
    extra: Vec<Origin>,
    any: bool,
}

impl OriginPolicy {
    /// The server's own origin plus each `--allow-origin` (`*` for any).
    pub fn new(allowed: &[String]) -> Result<OriginPolicy, String> {
        let mut policy = OriginPolicy::default();
        for a in allowed {
            if a == "*" {
                policy.any = true;
            } else {
                policy.extra.push(Origin::parse(a)?);
            }
        }
        Ok(policy)
    }

    /// `Ok` if a handshake with this `Origin` and `Host` header may open a
    /// bridge socket; otherwise the reason, for a 403 response.
    pub fn check(&self, origin: Option<&str>, host: Option<&str>) -> Result<(), String> {
        let Some(origin) = origin else {
            return Ok(());
        };
        if self.any {
            return Ok(());
        }
        let refuse = |why: &str| {
            let mut allowed = match host {
                Some(h) => format!("this server's own origin (http://{h})"),
                None => "this server's own origin".to_owned(),
            };
            for o in &self.extra {
                allowed.push_str(&format!(", {o}"));
            }
            Err(format!(
                "origin '{origin}' may not open MQTT bridge sockets here: {why}. \
                 Allowed: {allowed}. A teacher can add it with --allow-origin {origin}"
            ))
        };
        let parsed = match Origin::parse(origin) {
            Ok(o) => o,
            // "null" (file:// pages, sandboxed frames) and other opaque origins.
            Err(_) if self.extra.is_empty() => return refuse("it is not this server's origin"),
            Err(_) => return refuse("it is not an http(s) origin"),
        };
        if self.extra.contains(&parsed) || same_origin(&parsed, host) {
            Ok(())
        } else {
            refuse("it is not this server's origin")
        }
    }
}

/// Whether `origin` names the host and port the request was sent to. A `Host`
/// header without a port means the default port of the origin's scheme (a TLS
/// proxy in front of this server).
fn same_origin(origin: &Origin, host: Option<&str>) -> bool {
    let Some((host, port)) = host.and_then(split_authority) else {
        return false;
    };
    host == origin.host
        && port.map_or(Some(origin.port) == default_port(&origin.scheme), |p| {
            p == origin.port
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_origin_passes_and_others_do_not() {
        let p = OriginPolicy::new(&[]).unwrap();
        let host = Some("127.0.0.1:8080");
        assert!(p.check(Some("http://127.0.0.1:8080"), host).is_ok());
        assert!(p.check(Some("HTTP://127.0.0.1:8080/"), host).is_ok());
        assert!(p.check(None, host).is_ok(), "no Origin: not a browser page");
        let err = p.check(Some("http://evil.example"), host).unwrap_err();
        assert!(err.contains("'http://evil.example'"), "{err}");
        assert!(err.contains("--allow-origin"), "{err}");
        assert!(p.check(Some("http://127.0.0.1:8081"), host).is_err());
        assert!(p.check(Some("http://localhost:8080"), host).is_err());
        assert!(p.check(Some("null"), host).is_err());
        assert!(p.check(Some("http://127.0.0.1:8080"), None).is_err());
    }

    #[test]
    fn host_without_port_means_the_schemes_default() {
        let p = OriginPolicy::new(&[]).unwrap();
        assert!(p
            .check(Some("https://lab.example"), Some("lab.example"))
            .is_ok());
        assert!(p
            .check(Some("http://lab.example"), Some("lab.example:80"))
            .is_ok());
        assert!(p
            .check(Some("https://lab.example:8443"), Some("lab.example"))
            .is_err());
        assert!(p
            .check(Some("http://[::1]:8080"), Some("[::1]:8080"))
            .is_ok());
    }

    #[test]
    fn allow_origin_adds_origins() {
        let p = OriginPolicy::new(&["http://localhost:3000".into()]).unwrap();
        let host = Some("127.0.0.1:8080");
        assert!(p.check(Some("http://localhost:3000"), host).is_ok());
        assert!(p.check(Some("http://localhost:3001"), host).is_err());
        let any = OriginPolicy::new(&["*".into()]).unwrap();
        assert!(any.check(Some("http://evil.example"), host).is_ok());
        assert!(OriginPolicy::new(&["localhost:3000".into()]).is_err());
        assert!(OriginPolicy::new(&["ftp://x".into()]).is_err());
    }

    #[test]
    fn origins_print_without_default_ports() {
        assert_eq!(
            Origin::parse("http://A.example:80").unwrap().to_string(),
            "http://a.example"
        );
        assert_eq!(
            Origin::parse("http://a.example:81").unwrap().to_string(),
            "http://a.example:81"
        );
    }
}
