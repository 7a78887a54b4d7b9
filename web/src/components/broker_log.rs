//! The broker's log in `mosquitto -v` wording, each line stamped with its time.

use std::rc::Rc;

use yew::prelude::*;

use crate::components::sequence_diagram::format_time;

/// One log line.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LogLine {
    /// When, in microseconds.
    pub time_us: u64,
    /// The broker that wrote it.
    pub broker: String,
    /// The text, as mosquitto writes it after its timestamp.
    pub text: String,
}

/// Properties of [`BrokerLog`].
#[derive(Properties, PartialEq)]
pub struct BrokerLogProps {
    /// The last lines.
    pub lines: Rc<Vec<LogLine>>,
    /// The number of the first of them in the run (each line's key: a line
    /// shown before is not built again).
    #[prop_or_default]
    pub first: usize,
    /// Show the broker's name on each line (worlds with more than one broker).
    #[prop_or_default]
    pub show_broker: bool,
}

/// Lines shown at most; older ones stay in the trace and the export.
pub const MAX_SHOWN: usize = 500;

/// The log panel; it follows the newest line.
#[function_component(BrokerLog)]
pub fn broker_log(props: &BrokerLogProps) -> Html {
    let pane = use_node_ref();
    {
        let pane = pane.clone();
        use_effect_with((props.first, props.lines.len()), move |_| {
            if let Some(el) = pane.cast::<web_sys::HtmlElement>() {
                el.set_scroll_top(el.scroll_height());
            }
        });
    }
    let skip = props.lines.len().saturating_sub(MAX_SHOWN);
    let lines = props.lines[skip..]
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let prefix = if props.show_broker {
                format!("{} {}: ", format_time(l.time_us), l.broker)
            } else {
                format!("{}: ", format_time(l.time_us))
            };
            html! {
                <div class="log-line" key={props.first + skip + i}><span class="stamp">{ prefix }</span>{ &l.text }</div>
            }
        })
        .collect::<Html>();
    html! { <div class="broker-log" ref={pane}>{ lines }</div> }
}
