//! A sweep's table as CSV and as aligned text: the same columns, the same
//! numbers, formatted here once (the page's table and its CSV use these too).

use super::{CellResult, SweepResult};

/// The figure columns after the variables', as the CSV header names them.
pub const COLUMNS: [Column; 12] = [
    Column::Runs,
    Column::Sent,
    Column::Delivered,
    Column::Duplicated,
    Column::Lost,
    Column::LostPercent,
    Column::PacketsPerDelivered,
    Column::LatencyP50,
    Column::LatencyP95,
    Column::LatencyP99,
    Column::LatencyMax,
    Column::Retransmissions,
];

/// One figure column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    /// Seeds run.
    Runs,
    /// Messages published.
    Sent,
    /// Deliveries (first of each message per receiver).
    Delivered,
    /// Extra deliveries.
    Duplicated,
    /// Expected deliveries that never happened.
    Lost,
    /// Lost over expected, %.
    LostPercent,
    /// Publish-flow packets per delivered message.
    PacketsPerDelivered,
    /// Median latency.
    LatencyP50,
    /// 95th percentile latency.
    LatencyP95,
    /// 99th percentile latency.
    LatencyP99,
    /// Largest latency.
    LatencyMax,
    /// TCP retransmissions.
    Retransmissions,
}

/// Milliseconds with three decimals, exactly (`12.345`).
pub fn fmt_ms(us: u64) -> String {
    format!("{}.{:03}", us / 1000, us % 1000)
}

impl Column {
    /// Its CSV header.
    pub fn key(self) -> &'static str {
        match self {
            Column::Runs => "runs",
            Column::Sent => "sent",
            Column::Delivered => "delivered",
            Column::Duplicated => "duplicated",
            Column::Lost => "lost",
            Column::LostPercent => "lost_pct",
            Column::PacketsPerDelivered => "packets_per_delivered",
            Column::LatencyP50 => "latency_p50_ms",
            Column::LatencyP95 => "latency_p95_ms",
            Column::LatencyP99 => "latency_p99_ms",
            Column::LatencyMax => "latency_max_ms",
            Column::Retransmissions => "tcp_retransmissions",
        }
    }

    /// The cell's value in this column, as text (`-` for none).
    pub fn value(self, c: &CellResult) -> String {
        let lat = |q: f64| c.latency_us(q).map_or_else(|| "-".into(), fmt_ms);
        match self {
            Column::Runs => c.runs.to_string(),
            Column::Sent => c.sent.to_string(),
            Column::Delivered => c.delivered.to_string(),
            Column::Duplicated => c.duplicated.to_string(),
            Column::Lost => c.lost.to_string(),
            Column::LostPercent => format!("{:.1}", c.lost_percent()),
            Column::PacketsPerDelivered => c
                .packets_per_delivered()
                .map_or_else(|| "-".into(), |p| format!("{p:.2}")),
            Column::LatencyP50 => lat(0.50),
            Column::LatencyP95 => lat(0.95),
            Column::LatencyP99 => lat(0.99),
            Column::LatencyMax => lat(1.0),
            Column::Retransmissions => c.retransmissions.to_string(),
        }
    }
}

impl SweepResult {
    /// Header and rows, as text cells.
    pub fn rows(&self) -> (Vec<String>, Vec<Vec<String>>) {
        let mut header: Vec<String> = self.params.clone();
        header.extend(COLUMNS.iter().map(|c| c.key().to_owned()));
        let rows = self
            .cells
            .iter()
            .map(|c| {
                let mut r: Vec<String> = c.values.iter().map(|(_, v)| v.clone()).collect();
                r.extend(COLUMNS.iter().map(|col| col.value(c)));
                r
            })
            .collect();
        (header, rows)
    }

    /// The table as CSV (RFC 4180: a field with a comma or a quote is quoted).
    pub fn to_csv(&self) -> String {
        let (header, rows) = self.rows();
        let field = |s: &String| {
            if s.contains([',', '"', '\n']) {
                format!("\"{}\"", s.replace('"', "\"\""))
            } else {
                s.clone()
            }
        };
        let mut out = String::new();
        for r in std::iter::once(&header).chain(rows.iter()) {
            out.push_str(&r.iter().map(field).collect::<Vec<_>>().join(","));
            out.push('\n');
        }
        out
    }

    /// The table as aligned text, numbers to the right.
    pub fn to_text(&self) -> String {
        let (header, rows) = self.rows();
        let widths: Vec<usize> = (0..header.len())
            .map(|i| {
                std::iter::once(&header)
                    .chain(rows.iter())
                    .map(|r| r[i].chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let mut out = String::new();
        for r in std::iter::once(&header).chain(rows.iter()) {
            let line: Vec<String> = r
                .iter()
                .zip(&widths)
                .map(|(v, w)| format!("{v:>w$}"))
                .collect();
            out.push_str(line.join("  ").trim_end());
            out.push('\n');
        }
        out
    }
}
