//! Time controls: play, pause, step to the next packet, speed from 0.1x to 1000x,
//! jump to a time, reset, and the seed that makes the run repeatable.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::components::sequence_diagram::format_time;
use crate::i18n::{t, Lang, Text};

/// The speeds offered, as multiples of real time.
pub const SPEEDS: [f64; 9] = [0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 100.0, 1000.0];

/// Parses a time such as `35`, `35s`, `1.5s`, `500ms` or `2m` into microseconds.
pub fn parse_time(text: &str) -> Option<u64> {
    let s = text.trim();
    let (num, unit) = match s.find(|c: char| c.is_ascii_alphabetic()) {
        Some(i) => (&s[..i], &s[i..]),
        None => (s, "s"),
    };
    let value: f64 = num.trim().parse().ok()?;
    let scale = match unit {
        "us" => 1.0,
        "ms" => 1e3,
        "s" => 1e6,
        "m" | "min" => 60e6,
        "h" => 3_600e6,
        _ => return None,
    };
    let us = value * scale;
    (us.is_finite() && (0.0..1e18).contains(&us)).then_some(us as u64)
}

/// Properties of [`TimeControls`].
#[derive(Properties, PartialEq)]
pub struct TimeControlsProps {
    /// The language.
    pub lang: Lang,
    /// Virtual time now, in microseconds.
    pub now_us: u64,
    /// Whether the clock runs.
    pub playing: bool,
    /// Multiple of real time.
    pub speed: f64,
    /// The world's seed.
    pub seed: u64,
    /// Play or pause.
    pub on_toggle: Callback<()>,
    /// Run to the next packet.
    pub on_step: Callback<()>,
    /// A new speed.
    pub on_speed: Callback<f64>,
    /// Run until this time (µs).
    pub on_jump: Callback<u64>,
    /// Start over with this seed.
    pub on_reset: Callback<u64>,
}

/// The control bar.
#[function_component(TimeControls)]
pub fn time_controls(props: &TimeControlsProps) -> Html {
    let lang = props.lang;
    let jump_ref = use_node_ref();
    let seed_ref = use_node_ref();
    let jump_error = use_state(|| false);

    let toggle = props.on_toggle.reform(|_: MouseEvent| ());
    let step = props.on_step.reform(|_: MouseEvent| ());
    let on_speed = {
        let cb = props.on_speed.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlInputElement>().value();
            if let Ok(speed) = v.parse::<f64>() {
                cb.emit(speed);
            }
        })
    };
    let jump = {
        let cb = props.on_jump.clone();
        let jump_ref = jump_ref.clone();
        let jump_error = jump_error.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let Some(el) = jump_ref.cast::<HtmlInputElement>() {
                match parse_time(&el.value()) {
                    Some(us) => {
                        jump_error.set(false);
                        cb.emit(us);
                    }
                    None => jump_error.set(true),
                }
            }
        })
    };
    let reset = {
        let cb = props.on_reset.clone();
        let seed_ref = seed_ref.clone();
        let current = props.seed;
        Callback::from(move |_: MouseEvent| {
            let seed = seed_ref
                .cast::<HtmlInputElement>()
                .and_then(|el| el.value().trim().parse::<u64>().ok())
                .unwrap_or(current);
            cb.emit(seed);
        })
    };

    let speeds = SPEEDS
        .iter()
        .map(|&s| {
            let label = if s < 1.0 { format!("{s}x") } else { format!("{}x", s as u64) };
            html! { <option value={s.to_string()} selected={(s - props.speed).abs() < 1e-9}>{ label }</option> }
        })
        .collect::<Html>();

    html! {
        <div class="time-controls" role="toolbar" aria-label={t(lang, Text::TimeControls)}>
            <button id="play" class="primary" onclick={toggle}>
                { if props.playing { t(lang, Text::Pause) } else { t(lang, Text::Play) } }
            </button>
            <button id="step" onclick={step} title={t(lang, Text::StepHelp)}>{ t(lang, Text::Step) }</button>
            <label class="speed">
                <span>{ t(lang, Text::Speed) }</span>
                <select id="speed" onchange={on_speed}>{ speeds }</select>
            </label>
            <span id="clock" class="clock" aria-live="off">{ format!("t = {} s", format_time(props.now_us)) }</span>
            <form class="jump" onsubmit={jump}>
                <input ref={jump_ref} id="jump" type="text" size="7" placeholder="35s"
                    class={classes!((*jump_error).then_some("invalid"))}
                    aria-label={t(lang, Text::JumpTo)} />
                <button type="submit">{ t(lang, Text::JumpTo) }</button>
            </form>
            <label class="seed">
                <span>{ t(lang, Text::Seed) }</span>
                <input ref={seed_ref} id="seed" type="text" size="8" value={props.seed.to_string()} />
            </label>
            <button id="reset" onclick={reset}>{ t(lang, Text::Reset) }</button>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_parse_with_units() {
        assert_eq!(parse_time("35"), Some(35_000_000));
        assert_eq!(parse_time("35s"), Some(35_000_000));
        assert_eq!(parse_time("1.5s"), Some(1_500_000));
        assert_eq!(parse_time("500ms"), Some(500_000));
        assert_eq!(parse_time("2m"), Some(120_000_000));
        assert_eq!(parse_time("-1s"), None);
        assert_eq!(parse_time("soon"), None);
        assert_eq!(parse_time("1e30"), None);
    }
}
