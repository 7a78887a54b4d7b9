//! What a case is: a broker, a short script of tool invocations typed in
//! terminals (each invocation its own terminal and its own client), and, for a
//! difference not fixed yet, the difference as it stands.

/// The broker a case runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Broker {
    /// Anonymous clients allowed (`allow_anonymous true`; the scenario's `broker b`).
    Open,
    /// `allow_anonymous false` (`broker b no-anonymous`): CONNACK 5.
    NoAnonymous,
    /// One user, `aluno` with the password `1234` (a `password_file` made by
    /// `mosquitto_passwd`; `broker b no-anonymous user aluno "1234"`).
    Password,
    /// Nothing listens where the tools connect: a free port on the real side,
    /// a broker on another port (`broker b port 1888`) in the simulator.
    Closed,
    /// A broker runs, but not where the tools connect without `-h`: in the
    /// simulator `b` on the default port, on a node of its own; on the real
    /// side nothing listens on the loopback port the tools are given.
    Elsewhere,
}

/// One step of a case's script. Invocations (`Run`, `RunIn`, `Start`) are
/// numbered from 0 in the order they appear; the other steps name one.
#[derive(Debug, Clone, Copy)]
pub enum Step {
    /// Typed, and run until it ends by itself.
    Run(&'static str),
    /// Typed with these bytes on its standard input, run until it ends.
    RunIn(&'static str, &'static str),
    /// Typed in a terminal of its own and left running: the next step waits
    /// until the broker answered its SUBSCRIBE (or, for a `mosquitto_pub`, its
    /// CONNECT), or it ended.
    Start(&'static str),
    /// Ctrl-C (SIGINT) to a running invocation, once the broker is quiet.
    Stop(usize),
    /// The invocation's process dies (SIGKILL): the kernel closes its socket,
    /// no DISCONNECT is sent.
    Kill(usize),
    /// A running invocation ends by itself (`-C`, `-W`, `--retained-only`).
    Wait(usize),
}

/// A known difference: why it stays, which aspects of which invocations
/// differ (`outcome::Report::summary`), and the hash of the full report.
#[derive(Debug, Clone, Copy)]
pub struct Known {
    pub why: &'static str,
    pub summary: &'static str,
    pub hash: u64,
}

/// One row of the matrix.
#[derive(Debug, Clone, Copy)]
pub struct Case {
    pub name: &'static str,
    pub broker: Broker,
    pub steps: &'static [Step],
    /// Replace every run of digits by `N` in what is compared: for output that
    /// holds the time (`-F %I`, `%j`) or a process id (`-I`), which must differ.
    pub digits: bool,
    /// A difference known and not fixed yet, as the comparison reports it
    /// today (so that a fix, or a new drift, fails the test until it is updated).
    pub known: Option<Known>,
    /// The command lines connect where they say, `localhost` without `-h`:
    /// the real side adds only `-p PORT` (the case's broker, or a free port),
    /// the simulator nothing. Otherwise both sides add the broker's address
    /// (`-h 127.0.0.1 -p PORT`, `-h b`).
    pub as_typed: bool,
}

/// A case against an open broker.
pub const fn case(name: &'static str, steps: &'static [Step]) -> Case {
    Case {
        name,
        broker: Broker::Open,
        steps,
        digits: false,
        known: None,
        as_typed: false,
    }
}

impl Case {
    pub const fn broker(self, broker: Broker) -> Case {
        Case { broker, ..self }
    }

    pub const fn digits(self) -> Case {
        Case {
            digits: true,
            ..self
        }
    }

    pub const fn as_typed(self) -> Case {
        Case {
            as_typed: true,
            ..self
        }
    }

    pub const fn known(self, why: &'static str, summary: &'static str, hash: u64) -> Case {
        Case {
            known: Some(Known { why, summary, hash }),
            ..self
        }
    }

    /// The command lines, in invocation order, with their standard input.
    pub fn invocations(&self) -> Vec<(&'static str, Option<&'static str>)> {
        self.steps
            .iter()
            .filter_map(|s| match *s {
                Step::Run(c) | Step::Start(c) => Some((c, None)),
                Step::RunIn(c, input) => Some((c, Some(input))),
                _ => None,
            })
            .collect()
    }
}

/// `line` with `-d` added right after the program name, unless it has it: the
/// run that shows each invocation's packets (libmosquitto's debug log) between
/// its output lines. (At the end it could become a flag's value: `-t -d`.)
pub fn with_debug(line: &str) -> String {
    if line.split_whitespace().any(|w| w == "-d" || w == "--debug") {
        return line.to_string();
    }
    match line.split_once(' ') {
        Some((program, rest)) => format!("{program} -d {rest}"),
        None => format!("{line} -d"),
    }
}

/// `line` with `-h HOST` added right after the program name: how a case's
/// command line names the case's broker, unless the case runs as typed.
pub fn addressed(case: &Case, line: &str, host: &str) -> String {
    if case.as_typed {
        return line.to_string();
    }
    match line.split_once(' ') {
        Some((program, rest)) => format!("{program} -h {host} {rest}"),
        None => format!("{line} -h {host}"),
    }
}
