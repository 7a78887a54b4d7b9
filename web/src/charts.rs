//! Charts as SVG text, drawn with `plotters`' SVG backend: the page puts the
//! text in the document (no canvas), and the same text is the SVG export. The
//! data comes from core (`sim::series`, `sim::sweep`); the words (titles,
//! axes) come from the caller, already in the page's language.

use plotters::prelude::*;

use mqttlab_core::sim::series::Series;
use mqttlab_core::sim::sweep::{CellResult, SweepResult};

/// Colours of successive lines (colour-blind friendly: Okabe and Ito).
const COLOURS: [RGBColor; 7] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(60, 60, 60),
];

/// The colour of line `i`.
pub fn colour(i: usize) -> RGBColor {
    COLOURS[i % COLOURS.len()]
}

/// Titles and size of a chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame<'a> {
    /// Above the chart.
    pub title: &'a str,
    /// Under the x axis.
    pub x_label: &'a str,
    /// Beside the y axis.
    pub y_label: &'a str,
    /// Pixels.
    pub size: (u32, u32),
}

fn text_style(size: u32) -> TextStyle<'static> {
    ("sans-serif", size)
        .into_font()
        .color(&RGBColor(30, 30, 30))
}

/// The smallest and largest value, with some room; a flat line gets ±1.
fn y_range<'a>(points: impl Iterator<Item = &'a (u64, f64)>) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::MAX, f64::MIN);
    for (_, v) in points {
        lo = lo.min(*v);
        hi = hi.max(*v);
    }
    if lo > hi {
        return (0.0, 1.0);
    }
    if (hi - lo).abs() < 1e-9 {
        return (lo - 1.0, hi + 1.0);
    }
    let pad = (hi - lo) * 0.08;
    let lo = if lo >= 0.0 && lo - pad < 0.0 {
        0.0
    } else {
        lo - pad
    };
    (lo, hi + pad)
}

/// Pixels of the chart's height that are not its plot: the margins, the
/// caption and the x axis's labels (what `ChartBuilder` is given below).
const NOT_PLOT_PX: f64 = 12.0 * 2.0 + 24.0 + 36.0;

/// The top of a y range from `lo` to `hi` raised so that the legend, `rows`
/// lines in the plot's upper left corner, sits above every value: a legend
/// drawn over the data hides the very line a student is reading.
fn with_legend_room(lo: f64, hi: f64, rows: usize, frame: &Frame) -> f64 {
    if rows == 0 {
        return hi;
    }
    let plot_px = (f64::from(frame.size.1) - NOT_PLOT_PX).max(1.0);
    let legend_px = rows as f64 * 17.0 + 14.0;
    let share = (legend_px / plot_px).min(0.6);
    lo + (hi - lo) / (1.0 - share)
}

/// Values over virtual time: `lines` as lines, `bands` (0/1 states such as a
/// heater) as shaded spans where they are 1, on the same time axis, from 0 to
/// `until_us`.
pub fn time_chart(frame: &Frame, lines: &[Series], bands: &[Series], until_us: u64) -> String {
    let mut svg = String::new();
    let drawn = draw_time_chart(&mut svg, frame, lines, bands, until_us);
    if let Err(e) = drawn {
        return error_svg(frame, &e);
    }
    svg
}

fn draw_time_chart(
    svg: &mut String,
    frame: &Frame,
    lines: &[Series],
    bands: &[Series],
    until_us: u64,
) -> Result<(), String> {
    let e = |e: DrawingAreaErrorKind<std::io::Error>| e.to_string();
    let root = SVGBackend::with_string(svg, frame.size).into_drawing_area();
    root.fill(&WHITE).map_err(e)?;
    let x_max = (until_us as f64 / 1e6).max(1.0);
    let (y_lo, y_hi) = y_range(lines.iter().flat_map(|s| s.points.iter()));
    let y_hi = with_legend_room(y_lo, y_hi, lines.len() + bands.len(), frame);
    let mut chart = ChartBuilder::on(&root)
        .caption(frame.title, text_style(16))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(52)
        .build_cartesian_2d(0f64..x_max, y_lo..y_hi)
        .map_err(e)?;
    chart
        .configure_mesh()
        .x_desc(frame.x_label)
        .y_desc(frame.y_label)
        .label_style(text_style(12))
        .light_line_style(RGBColor(235, 235, 235))
        .draw()
        .map_err(e)?;
    for (i, band) in bands.iter().enumerate() {
        let c = colour(lines.len() + i);
        let mut spans = Vec::new();
        let mut start: Option<f64> = None;
        for (t, v) in &band.points {
            let x = *t as f64 / 1e6;
            match (start, *v >= 0.5) {
                (None, true) => start = Some(x),
                (Some(s), false) => {
                    spans.push((s, x));
                    start = None;
                }
                _ => {}
            }
        }
        if let Some(s) = start {
            spans.push((s, x_max));
        }
        chart
            .draw_series(
                spans
                    .into_iter()
                    .map(|(a, b)| Rectangle::new([(a, y_lo), (b, y_hi)], c.mix(0.18).filled())),
            )
            .map_err(e)?
            .label(band.name.clone())
            .legend(move |(x, y)| {
                Rectangle::new([(x, y - 5), (x + 16, y + 5)], c.mix(0.4).filled())
            });
    }
    for (i, s) in lines.iter().enumerate() {
        let c = colour(i);
        let pts: Vec<(f64, f64)> = s
            .points
            .iter()
            .map(|(t, v)| (*t as f64 / 1e6, *v))
            .collect();
        chart
            .draw_series(LineSeries::new(pts, c.stroke_width(2)))
            .map_err(e)?
            .label(s.name.clone())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], c.stroke_width(2)));
    }
    if !lines.is_empty() || !bands.is_empty() {
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .label_font(text_style(12))
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(180, 180, 180))
            .draw()
            .map_err(e)?;
    }
    root.present().map_err(e)?;
    Ok(())
}

fn error_svg(frame: &Frame, error: &str) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\"><text x=\"10\" y=\"20\">{}</text></svg>",
        frame.size.0,
        frame.size.1,
        error.replace('<', "&lt;")
    )
}

/// What a sweep chart plots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SweepMetric {
    /// Lost over expected deliveries, %.
    LostPercent,
    /// Extra deliveries over deliveries, %.
    DuplicatedPercent,
    /// Publish-flow packets per delivered message.
    PacketsPerDelivered,
    /// 95th percentile latency, ms.
    LatencyP95,
}

impl SweepMetric {
    /// Every metric, in the order the page offers them.
    pub const ALL: [SweepMetric; 4] = [
        SweepMetric::LostPercent,
        SweepMetric::DuplicatedPercent,
        SweepMetric::PacketsPerDelivered,
        SweepMetric::LatencyP95,
    ];

    /// A stable word (DOM ids, file names).
    pub fn key(self) -> &'static str {
        match self {
            SweepMetric::LostPercent => "lost",
            SweepMetric::DuplicatedPercent => "duplicated",
            SweepMetric::PacketsPerDelivered => "packets",
            SweepMetric::LatencyP95 => "latency",
        }
    }

    /// The cell's value.
    pub fn value(self, c: &CellResult) -> Option<f64> {
        match self {
            SweepMetric::LostPercent => (c.runs > 0).then(|| c.lost_percent()),
            SweepMetric::DuplicatedPercent => {
                (c.delivered > 0).then(|| c.duplicated as f64 * 100.0 / c.delivered as f64)
            }
            SweepMetric::PacketsPerDelivered => c.packets_per_delivered(),
            SweepMetric::LatencyP95 => c.latency_us(0.95).map(|us| us as f64 / 1000.0),
        }
    }
}

/// A sweep's metric against its last variable (the x axis, one tick per
/// value), one line per combination of the others (`qos=1`).
pub fn sweep_chart(frame: &Frame, result: &SweepResult, metric: SweepMetric) -> String {
    let mut svg = String::new();
    if let Err(e) = draw_sweep_chart(&mut svg, frame, result, metric) {
        return error_svg(frame, &e);
    }
    svg
}

/// One line of a sweep chart: its name and (x index, value) points.
pub type SweepLine = (String, Vec<(usize, f64)>);

/// The x values (the last variable's, in grid order) and the lines.
pub fn sweep_lines(result: &SweepResult, metric: SweepMetric) -> (Vec<String>, Vec<SweepLine>) {
    let mut xs: Vec<String> = Vec::new();
    let mut lines: Vec<SweepLine> = Vec::new();
    for c in &result.cells {
        let (x, rest) = match c.values.split_last() {
            Some((x, rest)) => (x.1.clone(), rest),
            None => (String::new(), &[][..]),
        };
        let xi = xs.iter().position(|v| *v == x).unwrap_or_else(|| {
            xs.push(x.clone());
            xs.len() - 1
        });
        let name = rest
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join(" ");
        let li = lines.iter().position(|l| l.0 == name).unwrap_or_else(|| {
            lines.push((name, Vec::new()));
            lines.len() - 1
        });
        if let Some(v) = metric.value(c) {
            lines[li].1.push((xi, v));
        }
    }
    (xs, lines)
}

fn draw_sweep_chart(
    svg: &mut String,
    frame: &Frame,
    result: &SweepResult,
    metric: SweepMetric,
) -> Result<(), String> {
    let e = |e: DrawingAreaErrorKind<std::io::Error>| e.to_string();
    let (xs, lines) = sweep_lines(result, metric);
    let root = SVGBackend::with_string(svg, frame.size).into_drawing_area();
    root.fill(&WHITE).map_err(e)?;
    let pts: Vec<(u64, f64)> = lines
        .iter()
        .flat_map(|l| l.1.iter().map(|p| (0, p.1)))
        .collect();
    let (_, hi) = y_range(pts.iter());
    let n = xs.len().max(1);
    let mut chart = ChartBuilder::on(&root)
        .caption(frame.title, text_style(16))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(52)
        .build_cartesian_2d(
            -0.3f64..(n as f64 - 0.7),
            0f64..with_legend_room(0.0, hi.max(1.0), lines.len(), frame),
        )
        .map_err(e)?;
    let labels = xs.clone();
    chart
        .configure_mesh()
        .x_desc(frame.x_label)
        .y_desc(frame.y_label)
        .x_labels(n)
        .x_label_formatter(&|x| {
            let i = x.round();
            if (x - i).abs() < 0.01 && i >= 0.0 {
                labels.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .label_style(text_style(12))
        .light_line_style(RGBColor(235, 235, 235))
        .draw()
        .map_err(e)?;
    for (i, (name, points)) in lines.iter().enumerate() {
        let c = colour(i);
        let pts: Vec<(f64, f64)> = points.iter().map(|(x, v)| (*x as f64, *v)).collect();
        chart
            .draw_series(LineSeries::new(pts.clone(), c.stroke_width(2)))
            .map_err(e)?
            .label(if name.is_empty() {
                "-".into()
            } else {
                name.clone()
            })
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], c.stroke_width(2)));
        chart
            .draw_series(pts.into_iter().map(|p| Circle::new(p, 4, c.filled())))
            .map_err(e)?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .label_font(text_style(12))
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(180, 180, 180))
        .draw()
        .map_err(e)?;
    root.present().map_err(e)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use mqttlab_core::sim::sweep;

    const FRAME: Frame = Frame {
        title: "t",
        x_label: "x",
        y_label: "y",
        size: (640, 360),
    };

    /// The bundled thermostat's series, run with seed 1: its lines (the room
    /// temperature) and its bands (the heater's on and off).
    fn thermostat_series() -> (Vec<Series>, Vec<Series>) {
        let src = mqttlab_core::sim::bundled::find("12-thermostat")
            .unwrap()
            .source;
        let r = mqttlab_core::sim::scenario::run(src, Some(1)).unwrap();
        let v = mqttlab_core::sim::series::values(r.world.trace().entries(), 10_000);
        let (bands, lines): (Vec<Series>, Vec<Series>) = v.into_iter().partition(|s| s.binary);
        (lines, bands)
    }

    #[test]
    fn the_thermostat_chart_has_a_line_and_heater_bands() {
        let (lines, bands) = thermostat_series();
        let svg = time_chart(&FRAME, &lines, &bands, 600_000_000);
        assert!(svg.starts_with("<svg"), "{}", &svg[..100.min(svg.len())]);
        assert!(svg.contains("casa/sala/temperatura") && svg.contains("casa/sala/aquecedor"));
        assert!(svg.contains("<polyline"), "a line");
        assert!(svg.matches("<rect").count() > 3, "heater-on spans");
    }

    /// The bottom edge of the legend's box (its border is the one grey
    /// `#B4B4B4` rectangle) and the smallest y of any data line's point (the
    /// lines 2 px wide; the legend's own sample lines, inside its box, are
    /// not data).
    fn legend_bottom_and_top_point(svg: &str) -> (f64, f64) {
        let attr = |el: &str, name: &str| -> f64 {
            let at = el.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
            el[at..].split('"').next().unwrap().parse().unwrap()
        };
        let legend = svg
            .split('<')
            .find(|el| el.starts_with("rect") && el.contains("#B4B4B4"))
            .expect("a legend box");
        let (x0, y0) = (attr(legend, "x"), attr(legend, "y"));
        let (x1, y1) = (x0 + attr(legend, "width"), y0 + attr(legend, "height"));
        let inside = |&(x, y): &(f64, f64)| (x0..=x1).contains(&x) && (y0..=y1).contains(&y);
        let top = svg
            .split('<')
            .filter(|el| el.starts_with("polyline") && el.contains("stroke-width=\"2\""))
            .map(|el| {
                let at = el.find(" points=\"").unwrap() + 9;
                el[at..]
                    .split('"')
                    .next()
                    .unwrap()
                    .split_whitespace()
                    .map(|p| {
                        let (x, y) = p.split_once(',').unwrap();
                        (x.parse::<f64>().unwrap(), y.parse::<f64>().unwrap())
                    })
                    .collect::<Vec<_>>()
            })
            .filter(|pts| !pts.iter().all(inside))
            .flatten()
            .map(|(_, y)| y)
            .fold(f64::MAX, f64::min);
        assert!(top < f64::MAX, "no data line");
        (y1, top)
    }

    #[test]
    fn the_legend_sits_above_every_line() {
        let (lines, bands) = thermostat_series();
        for size in [(640, 360), (900, 320), (360, 260)] {
            let frame = Frame { size, ..FRAME };
            let svg = time_chart(&frame, &lines, &bands, 600_000_000);
            let (bottom, top) = legend_bottom_and_top_point(&svg);
            assert!(
                top > bottom,
                "{size:?}: a line reaches y={top}, under the legend down to {bottom}"
            );
        }
        let src = "param qos 0 1 2\nparam loss 0% 20%\nbroker b\n\
                   sensor s -> b topic t every 1s model count(1,1) qos $qos loss $loss retries 1\n\
                   client c -> b\nat 0s c: mosquitto_sub -h b -q 2 -t t\nrun 30s\n";
        let r = sweep::run(src, 1, 1).unwrap();
        let svg = sweep_chart(&FRAME, &r, SweepMetric::PacketsPerDelivered);
        let (bottom, top) = legend_bottom_and_top_point(&svg);
        assert!(
            top > bottom,
            "sweep: a line reaches y={top}, under the legend down to {bottom}"
        );
    }

    #[test]
    fn a_sweep_chart_has_one_line_per_qos_over_the_loss_values() {
        let src = "param qos 0 1\nparam loss 0% 20%\nbroker b\n\
                   sensor s -> b topic t every 1s model count(1,1) qos $qos loss $loss retries 1\n\
                   client c -> b\nat 0s c: mosquitto_sub -h b -q 2 -t t\nrun 30s\n";
        let r = sweep::run(src, 1, 1).unwrap();
        let (xs, lines) = sweep_lines(&r, SweepMetric::PacketsPerDelivered);
        assert_eq!(xs, ["0%", "20%"]);
        assert_eq!(
            lines.iter().map(|l| l.0.as_str()).collect::<Vec<_>>(),
            ["qos=0", "qos=1"]
        );
        assert_eq!(lines[0].1[0], (0, 2.0));
        let svg = sweep_chart(&FRAME, &r, SweepMetric::LostPercent);
        assert!(svg.contains("qos=1") && svg.contains("20%"));
    }
}
