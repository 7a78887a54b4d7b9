//! `mosquitto_pub` and `mosquitto_sub` command lines, parsed into options.
//!
//! Shared by the native `mqttlab pub`/`mqttlab sub` tools, the simulator's
//! command-line clients and the web terminal, so all three accept the same flags and
//! refuse bad ones with the wording of mosquitto 2.0's own messages.
//!
//! ```
//! use mqttlab_core::client::cli::{parse_command_line, ToolCommand};
//! let cmd = parse_command_line(
//!     r#"mosquitto_pub -h 192.168.0.13 -m "on-line" -t "sensor1/status" -r --repeat 20 --repeat-delay 5 --will-topic "sensor1/status" --will-payload "off-line" --will-retain"#,
//! ).unwrap();
//! let ToolCommand::Pub(p) = cmd else { panic!() };
//! assert_eq!(p.repeat, 20);
//! assert_eq!(p.common.will.as_ref().unwrap().payload, b"off-line".to_vec());
//! ```

use core::fmt;
use core::time::Duration;

use crate::codec::properties::{self, Holder, Property};
use crate::codec::{Protocol, QoS};
use crate::topic;

use crate::client::{ConnectOptions, Qos2Delivery, ResendPolicy};

pub use super::props::ToolProperties;
use super::props::{check_all, parse_property, parse_session_expiry};

/// A parsed `mosquitto_pub`, `mosquitto_sub` or `mosquitto_rr` command line.
#[derive(Debug, Clone, PartialEq)]
pub enum ToolCommand {
    /// `mosquitto_pub ...`
    Pub(PubArgs),
    /// `mosquitto_sub ...`
    Sub(SubArgs),
    /// `mosquitto_rr ...`
    Rr(RrArgs),
}

impl ToolCommand {
    /// The flags all three share.
    pub fn common(&self) -> &CommonArgs {
        match self {
            ToolCommand::Pub(p) => &p.common,
            ToolCommand::Sub(s) => &s.common,
            ToolCommand::Rr(r) => &r.common,
        }
    }
}

/// The will flags (`--will-topic`, `--will-payload`, `--will-qos`, `--will-retain`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WillArgs {
    /// `--will-topic`
    pub topic: String,
    /// `--will-payload` (empty if not given).
    pub payload: Vec<u8>,
    /// `--will-qos`
    pub qos: QoS,
    /// `--will-retain`
    pub retain: bool,
}

/// Flags both tools share.
#[derive(Debug, Clone, PartialEq)]
pub struct CommonArgs {
    /// `-h`, default `localhost`.
    pub host: String,
    /// `-p`, default 1883.
    pub port: u16,
    /// `-i`
    pub client_id: Option<String>,
    /// `-I`: the client id is this prefix and the process id.
    pub id_prefix: Option<String>,
    /// `-k`, default 60.
    pub keep_alive: u16,
    /// `false` with `-c` (persistent session).
    pub clean_session: bool,
    /// `-q`, default 0.
    pub qos: QoS,
    /// `-u`
    pub username: Option<String>,
    /// `-P`
    pub password: Option<String>,
    /// `-d`
    pub debug: bool,
    /// `--quiet`
    pub quiet: bool,
    /// `-V mqttv311|311` (default; 5 for `mosquitto_rr`), `-V mqttv31|31`, or
    /// `-V mqttv5|5` (a 3.1.1 broker refuses it with CONNACK 1). Any `-D`
    /// selects 5.0 too, as in mosquitto's tools.
    pub protocol: Protocol,
    /// `-D COMMAND IDENTIFIER VALUE`: MQTT 5.0 properties by packet. Under 5.0
    /// the CONNECT's also carry `-x` and the Receive Maximum.
    pub properties: ToolProperties,
    /// `-x`: the session expiry interval (`u32::MAX`: the session never
    /// expires); `None` when not given.
    pub session_expiry: Option<u32>,
    /// The Receive Maximum a 5.0 CONNECT states: libmosquitto's limit of
    /// incoming QoS 1/2 messages in flight, 20, or `-C` when below 20
    /// (`mosquitto_rr`: 1).
    pub receive_maximum: u16,
    /// `-M`, default 20.
    pub max_inflight: u16,
    /// The will, if `--will-topic` was given.
    pub will: Option<WillArgs>,
    /// `--resend-timeout SECS` (MQTT Lab only): resend unacknowledged messages after
    /// this long, the course text's model. Off by default.
    pub resend_timeout: Option<Duration>,
}

impl Default for CommonArgs {
    fn default() -> Self {
        CommonArgs {
            host: "localhost".into(),
            port: 1883,
            client_id: None,
            id_prefix: None,
            keep_alive: 60,
            clean_session: true,
            qos: QoS::AtMostOnce,
            username: None,
            password: None,
            debug: false,
            quiet: false,
            protocol: Protocol::V311,
            properties: ToolProperties::default(),
            session_expiry: None,
            receive_maximum: 20,
            max_inflight: 20,
            will: None,
            resend_timeout: None,
        }
    }
}

impl CommonArgs {
    /// The client id to use: `-i`, or `-I` with `process_id`, or empty (the broker
    /// assigns one, as with mosquitto 2.0's clients). MQTT 3.1 has no empty ids, so
    /// there it is `mosq-` and the process id.
    pub fn effective_client_id(&self, process_id: u32) -> String {
        match (&self.client_id, &self.id_prefix) {
            (Some(id), _) => id.clone(),
            (None, Some(prefix)) => format!("{prefix}{process_id}"),
            (None, None) if self.protocol == Protocol::V31 => format!("mosq-{process_id}"),
            (None, None) => String::new(),
        }
    }

    /// The connect options these flags describe.
    pub fn connect_options(&self, process_id: u32) -> ConnectOptions {
        // libmosquitto hands a QoS 2 message over at PUBREL.
        let mut o = ConnectOptions::new(self.effective_client_id(process_id))
            .clean_session(self.clean_session)
            .keep_alive(self.keep_alive)
            .max_inflight(self.max_inflight)
            .qos2_delivery(Qos2Delivery::OnPubrel);
        o.protocol = self.protocol;
        if let Some(u) = &self.username {
            o = o.login(
                u.clone(),
                self.password
                    .as_ref()
                    .map(|p| bytes::Bytes::from(p.clone().into_bytes())),
            );
        }
        if let Some(w) = &self.will {
            // The topic was validated while parsing.
            if let Ok(with_will) = o.clone().will(&w.topic, w.payload.clone(), w.qos, w.retain) {
                o = with_will;
            }
        }
        if let Some(t) = self.resend_timeout {
            o = o.resend(ResendPolicy::OnAckTimeout(t));
        }
        if self.protocol == Protocol::V5 {
            // libmosquitto's send__connect: the given properties, then its
            // Receive Maximum unless one was given.
            let mut props = self.properties.connect.clone();
            if !props
                .iter()
                .any(|p| p.id() == properties::PropertyId::ReceiveMaximum)
            {
                props.push(properties::ReceiveMaximum(self.receive_maximum).into());
            }
            o.properties = props;
            o.will_properties = self.properties.will.clone();
        }
        o
    }
}

/// Where `mosquitto_pub` takes its message from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageSource {
    /// `-m TEXT`
    Text(Vec<u8>),
    /// `-n`: a zero-length message.
    Null,
    /// `-f FILE`: the file's contents.
    File(String),
    /// `-s`: all of standard input as one message.
    Stdin,
    /// `-l`: one message per line of standard input.
    Lines,
}

/// `mosquitto_pub` flags.
#[derive(Debug, Clone, PartialEq)]
pub struct PubArgs {
    /// Shared flags.
    pub common: CommonArgs,
    /// `-t`
    pub topic: String,
    /// `-m`, `-n`, `-f`, `-s` or `-l`.
    pub message: MessageSource,
    /// `-r`
    pub retain: bool,
    /// `--repeat N`: publish N times in all (default 1).
    pub repeat: u32,
    /// `--repeat-delay SECS` between publishes (default 0).
    pub repeat_delay: Duration,
}

/// `mosquitto_sub` flags.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SubArgs {
    /// Shared flags.
    pub common: CommonArgs,
    /// `-t`, one or more.
    pub topics: Vec<String>,
    /// `-U`: filters to unsubscribe from after connecting.
    pub unsubscribe: Vec<String>,
    /// `-v`: print `topic payload`.
    pub verbose: bool,
    /// `-C N`: exit after N messages.
    pub count: Option<u32>,
    /// `-W SECS`: exit after this long, counted from CONNACK.
    pub timeout: Option<u32>,
    /// `-R`: skip messages with RETAIN set (stale ones).
    pub no_retained: bool,
    /// `--retained-only`: exit at the first message without RETAIN.
    pub retained_only: bool,
    /// `-N`: no newline after each message.
    pub no_eol: bool,
    /// `-F FORMAT`: how each message prints.
    pub format: Option<String>,
    /// `-T FILTER`: messages on matching topics are not printed (repeatable).
    pub filter_out: Vec<String>,
    /// `-E`: exit once the SUBACK arrives.
    pub exit_after_sub: bool,
    /// `--remove-retained`: clear each retained message received (an empty
    /// retained PUBLISH, QoS 1, to its topic).
    pub remove_retained: bool,
    /// `--retain-as-published` (MQTT 5.0 subscription option).
    pub retain_as_published: bool,
}

/// `mosquitto_rr` flags: publish a request with a Response Topic, wait for
/// the response there and print it as `mosquitto_sub` would.
#[derive(Debug, Clone, PartialEq)]
pub struct RrArgs {
    /// Shared flags (MQTT 5.0 unless `-V` says otherwise).
    pub common: CommonArgs,
    /// `-t`: where the request goes.
    pub topic: String,
    /// `-m`, `-n`, `-f` or `-s`.
    pub message: MessageSource,
    /// `-e`: the response topic, subscribed to and sent as Response Topic.
    pub response_topic: String,
    /// How the response prints (`-v`, `-N`, `-F`, `-R`, `-W`,
    /// `--retain-as-published`), in `mosquitto_sub`'s terms; its `topics`
    /// hold the response topic.
    pub output: Box<SubArgs>,
}

pub use super::format::format_message;

/// A command line that cannot be run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CliError {
    /// An opening quote with no closing one.
    UnterminatedQuote,
    /// The first word is not `mosquitto_pub` or `mosquitto_sub`.
    UnknownProgram(String),
    /// A flag neither tool knows.
    UnknownOption(String),
    /// A flag known to mosquitto but not supported here (TLS, MQTT 5, ...).
    Unsupported(String),
    /// A flag that needs a value was last.
    MissingValue(String),
    /// A flag's value is not valid.
    InvalidValue {
        /// The flag.
        flag: String,
        /// The value given.
        value: String,
        /// What it should be.
        expected: &'static str,
    },
    /// A mosquitto usage error, worded as mosquitto does.
    Usage(String),
}

/// The tool a misspelt program name was meant to be (`mosquito_sub`,
/// `mosquitto-pub`): the one within three edits of it, if any.
fn nearest_tool(word: &str) -> Option<&'static str> {
    fn edits(a: &str, b: &str) -> usize {
        let b: Vec<char> = b.chars().collect();
        let mut row: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.chars().enumerate() {
            let mut diagonal = row[0];
            row[0] = i + 1;
            for (j, cb) in b.iter().enumerate() {
                let next = (row[j + 1] + 1)
                    .min(row[j] + 1)
                    .min(diagonal + usize::from(ca != *cb));
                diagonal = row[j + 1];
                row[j + 1] = next;
            }
        }
        row[b.len()]
    }
    // Not mosquitto_rr: `mosquitto` (the broker) is within three edits of it.
    ["mosquitto_sub", "mosquitto_pub"]
        .into_iter()
        .map(|tool| (edits(word, tool), tool))
        .filter(|&(d, _)| d > 0 && d <= 3)
        .min_by_key(|&(d, _)| d)
        .map(|(_, tool)| tool)
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::UnterminatedQuote => f.write_str("Error: Unterminated quote."),
            CliError::UnknownProgram(p) => match nearest_tool(p) {
                Some(tool) => write!(f, "Error: Unknown command '{p}'. Did you mean {tool}?"),
                None => write!(
                    f,
                    "Error: Unknown command '{p}' (expected mosquitto_pub, mosquitto_sub or mosquitto_rr)."
                ),
            },
            CliError::UnknownOption(o) => write!(f, "Error: Unknown option '{o}'."),
            CliError::Unsupported(o) => {
                write!(f, "Error: Option '{o}' is not supported by MQTT Lab.")
            }
            CliError::MissingValue(o) => {
                write!(f, "Error: {o} argument given but no value specified.")
            }
            CliError::InvalidValue {
                flag,
                value,
                expected,
            } => write!(f, "Error: Invalid {flag} value '{value}': {expected}."),
            CliError::Usage(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for CliError {}

/// Splits a command line into words as a POSIX shell would for simple commands:
/// whitespace separates, `'...'` is literal, `"..."` allows `\"` and `\\`, and a
/// backslash outside quotes escapes the next character.
pub fn split_words(line: &str) -> Result<Vec<String>, CliError> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if in_word {
                    words.push(core::mem::take(&mut cur));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => cur.push(c),
                        None => return Err(CliError::UnterminatedQuote),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\' | '$' | '`')) => cur.push(c),
                            Some(c) => {
                                cur.push('\\');
                                cur.push(c);
                            }
                            None => return Err(CliError::UnterminatedQuote),
                        },
                        Some(c) => cur.push(c),
                        None => return Err(CliError::UnterminatedQuote),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(c) = chars.next() {
                    cur.push(c);
                }
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    Ok(words)
}

/// Parses a whole command line, program name first (`mosquitto_pub ...`,
/// `mosquitto_sub ...`; `mqttlab pub ...` and `mqttlab sub ...` also work).
pub fn parse_command_line(line: &str) -> Result<ToolCommand, CliError> {
    let words = split_words(line)?;
    let (program, rest) = match words.split_first() {
        Some(x) => x,
        None => return Err(CliError::UnknownProgram(String::new())),
    };
    let name = program.rsplit('/').next().unwrap_or(program);
    match name {
        "mosquitto_pub" => parse_pub(rest).map(ToolCommand::Pub),
        "mosquitto_sub" => parse_sub(rest).map(ToolCommand::Sub),
        "mosquitto_rr" => parse_rr(rest).map(ToolCommand::Rr),
        "mqttlab" => match rest.split_first() {
            Some((sub, args)) if sub == "pub" => parse_pub(args).map(ToolCommand::Pub),
            Some((sub, args)) if sub == "sub" => parse_sub(args).map(ToolCommand::Sub),
            Some((sub, args)) if sub == "rr" => parse_rr(args).map(ToolCommand::Rr),
            _ => Err(CliError::UnknownProgram(line.trim().to_string())),
        },
        other => Err(CliError::UnknownProgram(other.to_string())),
    }
}

/// Which tool a flag list is for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Tool {
    Pub,
    Sub,
    Rr,
}

impl Tool {
    fn name(self) -> &'static str {
        match self {
            Tool::Pub => "mosquitto_pub",
            Tool::Sub => "mosquitto_sub",
            Tool::Rr => "mosquitto_rr",
        }
    }
}

struct Args<'a> {
    words: core::slice::Iter<'a, String>,
    tool: Tool,
}

impl<'a> Args<'a> {
    /// The flag's value; when it is the last word, mosquitto's own error
    /// (`Error: -t argument given but no topic specified.`, then a blank line).
    fn value(&mut self, flag: &str) -> Result<&'a str, CliError> {
        let tool = self.tool;
        self.words.next().map(String::as_str).ok_or_else(|| {
            let msg = match missing_value_words(flag) {
                Some((short, what)) => {
                    format!("Error: {short} argument given but no {what} specified.\n")
                }
                None if flag == "-M" => {
                    "Error: -M argument given but max_inflight not specified.\n".to_string()
                }
                None => format!("Error: {flag} argument given but no value specified.\n"),
            };
            usage(tool, &msg)
        })
    }
}

/// How client_shared.c names a flag and its missing value, by either spelling.
fn missing_value_words(flag: &str) -> Option<(&'static str, &'static str)> {
    Some(match flag {
        "-C" => ("-C", "count"),
        "-F" => ("-F", "format"),
        "-f" | "--file" => ("-f", "file"),
        "-h" | "--host" => ("-h", "host"),
        "-i" | "--id" => ("-i", "id"),
        "-I" | "--id-prefix" => ("-I", "id prefix"),
        "-k" | "--keepalive" => ("-k", "keepalive"),
        "-m" | "--message" => ("-m", "message"),
        "-p" | "--port" => ("-p", "port"),
        "-P" | "--pw" => ("-P", "password"),
        "-q" | "--qos" => ("-q", "QoS"),
        "--repeat" => ("--repeat", "count"),
        "--repeat-delay" => ("--repeat-delay", "time"),
        "-t" | "--topic" => ("-t", "topic"),
        "-T" | "--filter-out" => ("-T", "topic filter"),
        "-U" | "--unsubscribe" => ("-U", "unsubscribe topic"),
        "-u" | "--username" => ("-u", "username"),
        "-V" | "--protocol-version" => ("--protocol-version", "version"),
        "-W" => ("-W", "timeout"),
        "--will-payload" => ("--will-payload", "will payload"),
        "--will-qos" => ("--will-qos", "will QoS"),
        "--will-topic" => ("--will-topic", "will topic"),
        _ => return None,
    })
}

/// C's `atoi`: leading blanks, a sign, then digits up to the first other
/// character; 0 when there are none (`-C x` is a count of 0 to mosquitto_sub).
pub(super) fn atoi(v: &str) -> i64 {
    let t = v.trim_start();
    let (neg, t) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let mut n: i64 = 0;
    for b in t.bytes().take_while(u8::is_ascii_digit) {
        n = n.saturating_mul(10).saturating_add(i64::from(b - b'0'));
    }
    if neg {
        -n
    } else {
        n
    }
}

/// The will flags as given, checked together at the end.
struct WillFlags {
    topic: Option<String>,
    payload: Option<Vec<u8>>,
    qos: QoS,
    retain: bool,
}

impl Default for WillFlags {
    fn default() -> Self {
        WillFlags {
            topic: None,
            payload: None,
            qos: QoS::AtMostOnce,
            retain: false,
        }
    }
}

fn usage(tool: Tool, msg: &str) -> CliError {
    CliError::Usage(format!(
        "{msg}\n\nUse '{} --help' to see usage.",
        tool.name()
    ))
}

/// [`usage`] for a message as the C code prints it, newlines included.
fn usage_c(tool: Tool, c_msg: &str) -> CliError {
    match c_msg.strip_suffix('\n') {
        Some(m) => usage(tool, m),
        None => CliError::Usage(format!(
            "{c_msg}\nUse '{} --help' to see usage.",
            tool.name()
        )),
    }
}

fn parse_qos(flag: &str, v: &str, tool: Tool) -> Result<QoS, CliError> {
    // atoi, as the tools read it: `-q x` is QoS 0.
    let n = atoi(v);
    u8::try_from(n)
        .ok()
        .and_then(QoS::from_u8)
        .ok_or_else(|| match flag {
            "--will-qos" => usage(tool, &format!("Error: Invalid will QoS {n}.\n")),
            _ => usage(tool, &format!("Error: Invalid QoS given: {n}")),
        })
}

/// Handles one shared flag; `Ok(false)` if `flag` is not a shared one.
fn parse_common(
    flag: &str,
    args: &mut Args<'_>,
    c: &mut CommonArgs,
    w: &mut WillFlags,
    tool: Tool,
) -> Result<bool, CliError> {
    match flag {
        "-h" | "--host" => c.host = args.value(flag)?.to_string(),
        "-p" | "--port" => {
            let v = args
                .value(flag)
                .map_err(|_| usage(tool, "Error: -p argument given but no port specified.\n"))?;
            c.port = match v.parse::<u16>() {
                Ok(p) if p > 0 => p,
                _ => return Err(usage(tool, &format!("Error: Invalid port given: {v}\n"))),
            };
        }
        "-i" | "--id" | "-I" | "--id-prefix" => {
            let prefix = matches!(flag, "-I" | "--id-prefix");
            if (prefix && c.client_id.is_some()) || (!prefix && c.id_prefix.is_some()) {
                return Err(usage(
                    tool,
                    "Error: -i and -I argument cannot be used together.\n",
                ));
            }
            let v = Some(args.value(flag)?.to_string());
            if prefix {
                c.id_prefix = v;
            } else {
                c.client_id = v;
            }
        }
        "-k" | "--keepalive" => {
            let v = args.value(flag)?;
            c.keep_alive = match v.parse::<u32>() {
                Ok(k) if (5..=65535).contains(&k) => k as u16,
                _ => return Err(usage(
                    tool,
                    "Error: Invalid keepalive given, it must be between 5 and 65535 inclusive.\n",
                )),
            };
        }
        "-c" | "--disable-clean-session" => c.clean_session = false,
        "-q" | "--qos" => c.qos = parse_qos(flag, args.value(flag)?, tool)?,
        "-u" | "--username" => c.username = Some(args.value(flag)?.to_string()),
        "-P" | "--pw" => c.password = Some(args.value(flag)?.to_string()),
        "-d" | "--debug" => c.debug = true,
        "--quiet" => c.quiet = true,
        "-M" => {
            let v = args.value(flag)?;
            c.max_inflight = v.parse().map_err(|_| CliError::InvalidValue {
                flag: flag.into(),
                value: v.into(),
                expected: "a number from 0 to 65535",
            })?;
        }
        "-V" | "--protocol-version" => {
            let v = args.value(flag)?;
            c.protocol = match v {
                "mqttv311" | "311" => Protocol::V311,
                "mqttv31" | "31" => Protocol::V31,
                "mqttv5" | "5" => Protocol::V5,
                _ => {
                    return Err(usage(
                        tool,
                        "Error: Invalid protocol version argument given.\n",
                    ))
                }
            };
        }
        "--will-topic" => {
            let v = args.value(flag)?;
            if topic::validate_name(v).is_err() {
                return Err(usage(
                    tool,
                    &format!("Error: Invalid will topic '{v}', does it contain '+' or '#'?"),
                ));
            }
            w.topic = Some(v.to_string());
        }
        "--will-payload" => w.payload = Some(args.value(flag)?.as_bytes().to_vec()),
        "--will-qos" => w.qos = parse_qos(flag, args.value(flag)?, tool)?,
        "--will-retain" => w.retain = true,
        "--resend-timeout" => {
            let v = args.value(flag)?;
            c.resend_timeout = Some(parse_secs(flag, v)?);
        }
        "-D" | "--property" => {
            let rest = args.words.as_slice();
            let used = parse_property(rest, &mut c.properties).map_err(|m| usage_c(tool, &m))?;
            for _ in 0..used {
                args.words.next();
            }
            c.protocol = Protocol::V5;
        }
        "-x" => {
            let Some(v) = args.words.next() else {
                return Err(usage_c(
                    tool,
                    "Error: -x argument given but no session expiry interval specified.\n\n",
                ));
            };
            c.session_expiry = Some(parse_session_expiry(v).map_err(|m| usage_c(tool, &m))?);
        }
        "-A"
        | "--nodelay"
        | "-L"
        | "--url"
        | "--unix"
        | "--cafile"
        | "--capath"
        | "--cert"
        | "--key"
        | "--ciphers"
        | "--insecure"
        | "--tls-version"
        | "--psk"
        | "--psk-identity"
        | "--proxy"
        | "--tls-alpn"
        | "--tls-engine"
        | "--keyform"
        | "--tls-engine-kpass-sha1"
        | "--tls-use-os-certs" => return Err(CliError::Unsupported(flag.to_string())),
        _ => return Ok(false),
    }
    Ok(true)
}

fn parse_secs(flag: &str, v: &str) -> Result<Duration, CliError> {
    match v.parse::<f64>() {
        Ok(s) if s.is_finite() && (0.0..=4_294_967.0).contains(&s) => {
            Ok(Duration::from_micros((s * 1e6) as u64))
        }
        _ => Err(CliError::InvalidValue {
            flag: flag.into(),
            value: v.into(),
            expected: "a number of seconds",
        }),
    }
}

fn finish_common(c: &mut CommonArgs, w: WillFlags, tool: Tool) -> Result<(), CliError> {
    match w.topic {
        Some(topic) => {
            c.will = Some(WillArgs {
                topic,
                payload: w.payload.unwrap_or_default(),
                qos: w.qos,
                retain: w.retain,
            })
        }
        None if w.payload.is_some() => {
            return Err(usage(
                tool,
                "Error: Will payload given, but no will topic given.",
            ))
        }
        None if w.retain => {
            return Err(usage(
                tool,
                "Error: Will retain given, but no will topic given.",
            ))
        }
        None => {}
    }
    if c.password.is_some() && c.username.is_none() {
        return Err(usage(
            tool,
            "Error: A password was given without a username (MQTT-3.1.2-22).",
        ));
    }
    if c.protocol == Protocol::V5 {
        // client_config_load: -c without -x keeps the session for ever.
        if !c.clean_session && c.session_expiry.is_none() {
            c.session_expiry = Some(u32::MAX);
        }
        if let Some(x) = c.session_expiry.filter(|x| *x > 0) {
            if x == u32::MAX && (c.id_prefix.is_some() || c.client_id.is_none()) {
                return Err(usage_c(
                    tool,
                    "Error: You must provide a client id if you are using an infinite session expiry interval.\n",
                ));
            }
            c.properties
                .connect
                .push(properties::SessionExpiryInterval(x).into());
        }
    } else if !c.clean_session && c.client_id.is_none() && c.id_prefix.is_none() {
        return Err(usage(
            tool,
            "Error: You must provide a client id if you are using the -c option.",
        ));
    }
    Ok(())
}

/// `mosquitto_property_check_all` on every packet's `-D` properties, in
/// client_config_load's order (after the topic checks).
fn check_properties(c: &CommonArgs, tool: Tool) -> Result<(), CliError> {
    let p = &c.properties;
    let lists: [(&str, Holder, &[Property]); 6] = [
        ("CONNECT", Holder::Connect, &p.connect),
        ("PUBLISH", Holder::Publish, &p.publish),
        ("SUBSCRIBE", Holder::Subscribe, &p.subscribe),
        ("UNSUBSCRIBE", Holder::Unsubscribe, &p.unsubscribe),
        ("DISCONNECT", Holder::Disconnect, &p.disconnect),
        ("Will", Holder::Will, &p.will),
    ];
    for (name, holder, props) in lists {
        check_all(name, holder, props).map_err(|m| usage_c(tool, &m))?;
    }
    Ok(())
}

/// Parses `mosquitto_pub` flags (without the program name).
pub fn parse_pub(words: &[String]) -> Result<PubArgs, CliError> {
    let tool = Tool::Pub;
    let mut c = CommonArgs::default();
    let mut will = WillFlags::default();
    let mut topic_arg = None;
    let mut message = None;
    let mut retain = false;
    let mut repeat = 1;
    let mut repeat_delay = Duration::ZERO;
    let mut args = Args {
        words: words.iter(),
        tool,
    };
    while let Some(flag) = args.words.next() {
        let flag = flag.as_str();
        if parse_common(flag, &mut args, &mut c, &mut will, tool)? {
            continue;
        }
        let set_message = |message: &mut Option<MessageSource>, m| {
            if message.is_some() {
                return Err(usage(
                    tool,
                    "Error: Only one type of message can be sent at once.\n",
                ));
            }
            *message = Some(m);
            Ok(())
        };
        match flag {
            "-t" | "--topic" => {
                let v = args.value(flag)?;
                // mosquitto_pub_topic_check passes an empty topic; the PUBLISH
                // itself is then refused ("Error: Invalid input. ...").
                if !v.is_empty() && topic::validate_name(v).is_err() {
                    return Err(usage(
                        tool,
                        &format!("Error: Invalid publish topic '{v}', does it contain '+' or '#'?"),
                    ));
                }
                topic_arg = Some(v.to_string());
            }
            "-m" | "--message" => {
                let v = args.value(flag)?;
                set_message(&mut message, MessageSource::Text(v.as_bytes().to_vec()))?
            }
            "-n" | "--null-message" => set_message(&mut message, MessageSource::Null)?,
            "-f" | "--file" => {
                let v = args.value(flag)?;
                set_message(&mut message, MessageSource::File(v.to_string()))?
            }
            "-s" | "--stdin-file" => set_message(&mut message, MessageSource::Stdin)?,
            "-l" | "--stdin-line" => set_message(&mut message, MessageSource::Lines)?,
            "-r" | "--retain" => retain = true,
            "--repeat" => {
                let v = args.value(flag)?;
                repeat = match u32::try_from(atoi(v)) {
                    Ok(n) if n >= 1 => n,
                    _ => return Err(usage(tool, "Error: --repeat argument must be >0.\n")),
                };
            }
            "--repeat-delay" => repeat_delay = parse_secs(flag, args.value(flag)?)?,
            other => return Err(unknown(other, tool)),
        }
    }
    finish_common(&mut c, will, tool)?;
    check_properties(&c, tool)?;
    let (Some(topic), Some(message)) = (topic_arg, message) else {
        return Err(CliError::Usage(
            "Error: Both topic and message must be supplied.".into(),
        ));
    };
    Ok(PubArgs {
        common: c,
        topic,
        message,
        retain,
        repeat,
        repeat_delay,
    })
}

/// Parses `mosquitto_sub` flags (without the program name).
pub fn parse_sub(words: &[String]) -> Result<SubArgs, CliError> {
    let tool = Tool::Sub;
    let mut c = CommonArgs::default();
    let mut will = WillFlags::default();
    let mut s = SubArgs::default();
    let mut args = Args {
        words: words.iter(),
        tool,
    };
    while let Some(flag) = args.words.next() {
        let flag = flag.as_str();
        if parse_common(flag, &mut args, &mut c, &mut will, tool)? {
            continue;
        }
        match flag {
            "-t" | "--topic" => {
                let v = args.value(flag)?;
                if topic::validate_filter(v).is_err() {
                    return Err(usage(
                        tool,
                        &format!(
                            "Error: Invalid subscription topic '{v}', are all '+' and '#' wildcards correct?"
                        ),
                    ));
                }
                s.topics.push(v.to_string());
            }
            "-U" | "--unsubscribe" => {
                let v = args.value(flag)?;
                if topic::validate_filter(v).is_err() {
                    return Err(usage(
                        tool,
                        &format!(
                            "Error: Invalid unsubscribe topic '{v}', are all '+' and '#' wildcards correct?"
                        ),
                    ));
                }
                s.unsubscribe.push(v.to_string());
            }
            "-v" | "--verbose" => s.verbose = true,
            "-C" => {
                let v = args.value(flag)?;
                let n = atoi(v);
                s.count = match u32::try_from(n) {
                    Ok(n) if n >= 1 => Some(n),
                    _ => {
                        return Err(usage(
                            tool,
                            &format!("Error: Invalid message count \"{n}\".\n"),
                        ))
                    }
                };
            }
            "-W" => {
                let v = args.value(flag)?;
                let n = atoi(v);
                s.timeout = match u32::try_from(n) {
                    Ok(n) if n >= 1 => Some(n),
                    _ => return Err(usage(tool, &format!("Error: Invalid timeout \"{n}\".\n"))),
                };
            }
            "-R" => s.no_retained = true,
            "--retained-only" => s.retained_only = true,
            "-N" => s.no_eol = true,
            "-E" => s.exit_after_sub = true,
            "--remove-retained" => s.remove_retained = true,
            "-F" => {
                let v = args.value(flag)?;
                super::format::check_format(v).map_err(|m| usage_c(tool, &m))?;
                s.format = Some(v.to_string());
            }
            "-T" | "--filter-out" => {
                let v = args.value(flag)?;
                if topic::validate_filter(v).is_err() {
                    return Err(usage(
                        tool,
                        &format!(
                            "Error: Invalid filter topic '{v}', are all '+' and '#' wildcards correct?"
                        ),
                    ));
                }
                s.filter_out.push(v.to_string());
            }
            "--retain-as-published" => s.retain_as_published = true,
            "--pretty" => return Err(CliError::Unsupported(flag.to_string())),
            other => return Err(unknown(other, tool)),
        }
    }
    finish_common(&mut c, will, tool)?;
    if s.topics.is_empty() {
        return Err(usage(
            tool,
            "Error: You must specify a topic to subscribe to.",
        ));
    }
    check_properties(&c, tool)?;
    // client_opts_set: fewer than 20 messages wanted, fewer let in flight.
    if let Some(n) = s.count.filter(|n| *n < 20) {
        c.receive_maximum = n as u16;
    }
    if s.no_retained && s.retained_only {
        return Err(CliError::Usage(
            "\nError: Combining '-R' and '--retained-only' makes no sense.".into(),
        ));
    }
    s.common = c;
    Ok(s)
}

/// Parses `mosquitto_rr` flags (without the program name).
pub fn parse_rr(words: &[String]) -> Result<RrArgs, CliError> {
    let tool = Tool::Rr;
    let mut c = CommonArgs {
        protocol: Protocol::V5,
        // msg_count = 1, so client_opts_set makes the Receive Maximum 1.
        receive_maximum: 1,
        ..CommonArgs::default()
    };
    let mut will = WillFlags::default();
    let mut topic_arg = None;
    let mut response_topic = None;
    let mut message = None;
    let mut out = SubArgs::default();
    let mut args = Args {
        words: words.iter(),
        tool,
    };
    while let Some(flag) = args.words.next() {
        let flag = flag.as_str();
        if parse_common(flag, &mut args, &mut c, &mut will, tool)? {
            continue;
        }
        let mut set_message = |m| {
            if message.is_some() {
                return Err(usage(
                    tool,
                    "Error: Only one type of message can be sent at once.\n",
                ));
            }
            message = Some(m);
            Ok(())
        };
        match flag {
            "-t" | "--topic" => {
                let v = args.value(flag)?;
                if !v.is_empty() && topic::validate_name(v).is_err() {
                    return Err(usage(
                        tool,
                        &format!("Error: Invalid publish topic '{v}', does it contain '+' or '#'?"),
                    ));
                }
                topic_arg = Some(v.to_string());
            }
            "-e" => {
                let Some(v) = args.words.next() else {
                    return Err(usage(
                        tool,
                        "Error: -e argument given but no response topic specified.\n",
                    ));
                };
                if topic::validate_name(v).is_err() {
                    return Err(usage(
                        tool,
                        &format!(
                            "Error: Invalid response topic '{v}', does it contain '+' or '#'?"
                        ),
                    ));
                }
                response_topic = Some(v.to_string());
            }
            "-m" | "--message" => {
                let v = args.value(flag)?;
                set_message(MessageSource::Text(v.as_bytes().to_vec()))?
            }
            "-n" | "--null-message" => set_message(MessageSource::Null)?,
            "-f" | "--file" => {
                let v = args.value(flag)?;
                set_message(MessageSource::File(v.to_string()))?
            }
            "-s" | "--stdin-file" => set_message(MessageSource::Stdin)?,
            "-v" | "--verbose" => out.verbose = true,
            "-N" => out.no_eol = true,
            "-R" => out.no_retained = true,
            "--retain-as-published" => out.retain_as_published = true,
            "-F" => {
                let v = args.value(flag)?;
                super::format::check_format(v).map_err(|m| usage_c(tool, &m))?;
                out.format = Some(v.to_string());
            }
            "-W" => {
                let v = args.value(flag)?;
                let n = atoi(v);
                out.timeout = match u32::try_from(n) {
                    Ok(n) if n >= 1 => Some(n),
                    _ => return Err(usage(tool, &format!("Error: Invalid timeout \"{n}\".\n"))),
                };
            }
            "--pretty" => return Err(CliError::Unsupported(flag.to_string())),
            other => return Err(unknown(other, tool)),
        }
    }
    finish_common(&mut c, will, tool)?;
    check_properties(&c, tool)?;
    let (Some(topic), Some(message), Some(response_topic)) = (topic_arg, message, response_topic)
    else {
        return Err(CliError::Usage(
            "Error: All of topic, message, and response topic must be supplied.\n\nUse 'mosquitto_rr --help' to see usage.".into(),
        ));
    };
    if c.protocol == Protocol::V5 {
        c.properties
            .publish
            .push(properties::ResponseTopic(response_topic.clone()).into());
        if check_all("PUBLISH", Holder::Publish, &c.properties.publish).is_err() {
            return Err(CliError::Usage(
                "Error in PUBLISH properties: Duplicate response topic.".into(),
            ));
        }
    }
    out.topics = vec![response_topic.clone()];
    out.common = c.clone();
    Ok(RrArgs {
        common: c,
        topic,
        message,
        response_topic,
        output: Box::new(out),
    })
}

fn unknown(flag: &str, tool: Tool) -> CliError {
    usage(tool, &format!("Error: Unknown option '{flag}'."))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        split_words(s).unwrap()
    }

    #[test]
    fn splits_like_a_shell() {
        assert_eq!(
            words(r#"mosquitto_pub -m "Mensagem 1" -t 'a b' x\ y "q\"uote""#),
            [
                "mosquitto_pub",
                "-m",
                "Mensagem 1",
                "-t",
                "a b",
                "x y",
                "q\"uote"
            ]
        );
        assert_eq!(words(r#"-m """#), ["-m", ""]);
        assert_eq!(split_words("-m 'oops"), Err(CliError::UnterminatedQuote));
    }

    #[test]
    fn parses_every_course_command() {
        for line in [
            r#"mosquitto_sub -t "teste""#,
            r#"mosquitto_pub -m "Mensagem" -t "teste""#,
            r#"mosquitto_sub -h 192.168.0.13  -t "topico" -q 1"#,
            r#"mosquitto_pub -h 192.168.0.13  -m "mensagem" -t "topico" -q 2"#,
            r#"mosquitto_pub -h 192.168.0.13  -m "mensagem" -t "topico" -q 1 -r"#,
            r#"mosquitto_sub -h 192.168.0.13  -t "topico" -q 1 -c -i sub1"#,
            r#"mosquitto_pub -h 192.168.0.13  -m "on-line" -t "sensor1/status" -r --repeat 20 --repeat-delay 5 --will-topic "sensor1/status" --will-payload "off-line" --will-retain"#,
            r#"mosquitto_sub -h 127.0.0.1 -v -t '#'"#,
            r#"mosquitto_pub -h 127.0.0.1  -t 'hello' -m 'world'"#,
        ] {
            parse_command_line(line).unwrap_or_else(|e| panic!("{line}: {e}"));
        }
        let ToolCommand::Sub(s) =
            parse_command_line("mosquitto_sub -h 10.0.0.1 -p 1884 -t a/+ -t b/# -q 2 -v -C 3 -W 9")
                .unwrap()
        else {
            panic!()
        };
        assert_eq!(s.common.host, "10.0.0.1");
        assert_eq!(s.common.port, 1884);
        assert_eq!(s.topics, ["a/+", "b/#"]);
        assert_eq!(s.common.qos, QoS::ExactlyOnce);
        assert!(s.verbose);
        assert_eq!((s.count, s.timeout), (Some(3), Some(9)));
    }

    #[test]
    fn will_flags_become_connect_options() {
        let ToolCommand::Pub(p) = parse_command_line(
            "mosquitto_pub -t s -m on -i p1 -k 15 -u ana -P segredo --will-topic s --will-payload off --will-qos 1 --will-retain",
        )
        .unwrap() else {
            panic!()
        };
        let o = p.common.connect_options(42);
        assert_eq!(o.client_id, "p1");
        assert_eq!(o.keep_alive, 15);
        let w = o.will.unwrap();
        assert_eq!(
            (w.topic.as_str(), &w.message[..], w.qos, w.retain),
            ("s", &b"off"[..], QoS::AtLeastOnce, true)
        );
        assert_eq!(o.login.unwrap().username, "ana");
    }

    #[test]
    fn client_ids_follow_i_then_capital_i_then_the_protocol() {
        let id = |l: &str| {
            parse_command_line(l)
                .unwrap()
                .common()
                .effective_client_id(7)
        };
        assert_eq!(id("mosquitto_sub -t a -i x"), "x");
        assert!(parse_command_line("mosquitto_sub -t a -i x -I p")
            .unwrap_err()
            .to_string()
            .starts_with("Error: -i and -I argument cannot be used together.\n"));
        assert_eq!(id("mosquitto_sub -t a -I sala-"), "sala-7");
        assert_eq!(id("mosquitto_pub -t a -m b"), "");
        assert_eq!(id("mosquitto_pub -t a -m b -V mqttv31"), "mosq-7");
    }

    #[test]
    fn bad_command_lines_give_mosquittos_errors() {
        let err = |l: &str| parse_command_line(l).unwrap_err().to_string();
        assert!(err("mosquitto_pub -t a").contains("Both topic and message must be supplied"));
        assert!(err("mosquitto_pub -t a -m b -q 3").contains("Invalid QoS given: 3"));
        assert!(err("mosquitto_pub -t a -m b -c").contains("must provide a client id"));
        assert!(err("mosquitto_pub -t a -m b -k 3").contains("between 5 and 65535"));
        assert!(err("mosquitto_pub --bogus").contains("Unknown option '--bogus'"));
        assert!(err("mosquitto_sub").contains("must specify a topic"));
        assert!(err("mosquitto_pub -t 'a/#' -m b").contains("Invalid publish topic 'a/#'"));
        assert!(err("mosquitto_sub -t 'a/#x'").contains("Invalid subscription topic"));
        assert!(err("mosquitto_pub -t a -m b --will-payload x").contains("no will topic"));
        assert!(err("mosquitto_pub -p").contains("no port specified"));
        assert!(err("mosquitto_pub -t a -m b -p 99999").contains("Invalid port"));
        assert!(err("mosquitto_pub -t a -m b -m c").contains("Only one type of message"));
        assert!(err("mosquitto_pub -t a -m b --cafile x").contains("not supported"));
        assert!(err("ls -l").contains("Unknown command 'ls'"));
        assert_eq!(
            err("mosquito_sub -t x"),
            "Error: Unknown command 'mosquito_sub'. Did you mean mosquitto_sub?"
        );
        assert!(err("mosquitto-pub -t x -m y").ends_with("Did you mean mosquitto_pub?"));
        assert!(
            err("mosquitto -v").contains("(expected mosquitto_pub, mosquitto_sub or mosquitto_rr)")
        );
        assert!(err("").contains("Unknown command"));
        assert!(err("mosquitto_sub -t a -C 0").contains("Invalid message count"));
    }

    #[test]
    fn no_input_panics() {
        // Every prefix of a long command line, and some junk, parse or fail cleanly.
        let line = "mosquitto_pub -h h -p 1 -t t -m m -q 1 -r -c -i x -k 5 -u u -P p -d --will-topic w --will-payload p --will-qos 2 --will-retain --repeat 2 --repeat-delay 0.5";
        for i in 0..=line.len() {
            let _ = parse_command_line(&line[..i]);
        }
        for junk in [
            "\"",
            "'",
            "\\",
            "mosquitto_sub -t",
            "mosquitto_pub --repeat-delay nan -t a -m b",
            "mosquitto_pub --repeat-delay -1 -t a -m b",
        ] {
            let _ = parse_command_line(junk);
        }
    }
}
