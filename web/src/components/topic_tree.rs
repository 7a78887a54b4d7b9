//! The topic tree, the way MQTT Explorer shows a broker: every topic seen as a
//! tree of levels, each with its last value, how many messages it had, a mark
//! when its last message was retained, and a sparkline (inline SVG) of its
//! recent numeric values. The rows come from core's
//! [`mqttlab_core::broker::TopicTree`]: the real-broker page records what its
//! client receives, the simulator's broker what it routes.
//!
//! Levels with children fold and unfold with a button (a tap target of 40 px,
//! no hover needed); what is folded is this view's own state.

use std::collections::BTreeSet;
use std::rc::Rc;

use mqttlab_core::broker::{sparkline_points, TopicRow};
use yew::prelude::*;

use crate::i18n::{count, tt, Lang, Noun, Topics};

/// The sparkline's box, in CSS pixels.
const SPARK_W: f64 = 64.0;
const SPARK_H: f64 = 18.0;

/// At most this many rows are drawn (a tree of thousands of sensors is folded
/// by the student, not scrolled through).
pub const MAX_ROWS_DRAWN: usize = 400;

/// Properties of [`TopicTreeView`].
#[derive(Properties, PartialEq)]
pub struct TopicTreeProps {
    /// The interface language.
    pub lang: Lang,
    /// The tree's rows, in pre-order.
    pub rows: Rc<Vec<TopicRow>>,
    /// Messages on topics beyond the tree's limit.
    #[prop_or_default]
    pub untracked: u64,
}

/// The rows to draw: every row but those under a folded level.
fn visible<'a>(rows: &'a [TopicRow], folded: &BTreeSet<String>) -> Vec<&'a TopicRow> {
    let mut out = Vec::new();
    let mut hide_under: Option<&str> = None;
    for r in rows {
        if let Some(p) = hide_under {
            if r.path.len() > p.len() && r.path.starts_with(p) && r.path.as_bytes()[p.len()] == b'/'
            {
                continue;
            }
            hide_under = None;
        }
        if r.children > 0 && folded.contains(&r.path) {
            hide_under = Some(&r.path);
        }
        out.push(r);
    }
    out
}

fn sparkline(lang: Lang, values: &[f64]) -> Html {
    let Some(points) = sparkline_points(values, SPARK_W, SPARK_H) else {
        return Html::default();
    };
    let last = values.last().copied().unwrap_or_default();
    html! {
        <svg class="sparkline" width={SPARK_W.to_string()} height={SPARK_H.to_string()}
            viewBox={format!("-1 -1 {} {}", SPARK_W + 2.0, SPARK_H + 2.0)}
            role="img" aria-label={format!("{}: {last}", tt(lang, Topics::SparklineHelp))}>
            <title>{ tt(lang, Topics::SparklineHelp) }</title>
            <polyline points={points} />
        </svg>
    }
}

fn value_cell(lang: Lang, r: &TopicRow) -> Html {
    let Some(last) = &r.last else {
        return Html::default();
    };
    let text = if r.binary {
        format!("({})", count(lang, r.last_len as u64, Noun::Byte))
    } else if r.last_len > last.len() {
        format!("{last}…")
    } else {
        last.clone()
    };
    html! { <span class="topic-value mono" title={text.clone()}>{ text }</span> }
}

/// The topic tree. See the [module documentation](self).
#[function_component(TopicTreeView)]
pub fn topic_tree_view(props: &TopicTreeProps) -> Html {
    let lang = props.lang;
    let folded = use_state(BTreeSet::<String>::new);
    if props.rows.is_empty() {
        return html! {
            <div class="topic-tree">
                <p class="empty">{ tt(lang, Topics::Empty) }</p>
            </div>
        };
    }
    let shown = visible(&props.rows, &folded);
    let more = shown.len().saturating_sub(MAX_ROWS_DRAWN);
    let items = shown
        .into_iter()
        .take(MAX_ROWS_DRAWN)
        .map(|r| {
            let is_folded = folded.contains(&r.path);
            let toggle = if r.children > 0 {
                let folded = folded.clone();
                let path = r.path.clone();
                let onclick = Callback::from(move |_: MouseEvent| {
                    let mut f = (*folded).clone();
                    if !f.remove(&path) {
                        f.insert(path.clone());
                    }
                    folded.set(f);
                });
                let label = tt(
                    lang,
                    if is_folded {
                        Topics::Expand
                    } else {
                        Topics::Collapse
                    },
                );
                html! {
                    <button type="button" class="toggle" aria-expanded={(!is_folded).to_string()}
                        aria-label={format!("{label} {}", r.path)} title={label} {onclick}>
                        { if is_folded { "▸" } else { "▾" } }
                    </button>
                }
            } else {
                html! { <span class="toggle-space"></span> }
            };
            let counts = if r.children > 0 {
                format!(
                    "{} · {}",
                    count(lang, r.topics as u64, Noun::Topic),
                    count(lang, r.messages, Noun::Msg)
                )
            } else {
                count(lang, r.count, Noun::Msg)
            };
            let name = if r.name.is_empty() {
                "\u{2205}".to_owned()
            } else {
                r.name.clone()
            };
            html! {
                <li class={classes!("topic-row", r.is_topic.then_some("is-topic"))}
                    data-topic={r.path.clone()} style={format!("--depth:{}", r.depth)}>
                    { toggle }
                    <span class="topic-name mono" title={r.path.clone()}>{ name }</span>
                    if r.retained {
                        <span class="retained-mark" title={tt(lang, Topics::RetainedHelp)}>
                            { tt(lang, Topics::Retained) }
                        </span>
                    }
                    { value_cell(lang, r) }
                    { sparkline(lang, &r.values) }
                    <span class="topic-count">{ counts }</span>
                </li>
            }
        })
        .collect::<Html>();
    html! {
        <div class="topic-tree">
            <ul class="topic-rows">{ items }</ul>
            if more > 0 {
                <p class="more">{ format!("+{}", count(lang, more as u64, Noun::LevelNotDrawn)) }</p>
            }
            if props.untracked > 0 {
                <p class="more">{ format!("+{}", count(lang, props.untracked, Noun::MessageNotShown)) }</p>
            }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mqttlab_core::broker::TopicTree;
    use mqttlab_core::time::Instant;

    #[test]
    fn a_folded_level_hides_its_descendants_only() {
        let mut tree = TopicTree::new();
        for t in ["a/b", "a/b/c", "a/", "ab/x", "a"] {
            tree.record(Instant::ZERO, t, b"1", false);
        }
        let rows = tree.rows();
        let paths = |v: Vec<&TopicRow>| v.iter().map(|r| r.path.clone()).collect::<Vec<_>>();
        assert_eq!(
            paths(visible(&rows, &BTreeSet::new())),
            ["a", "a/", "a/b", "a/b/c", "ab", "ab/x"]
        );
        let folded: BTreeSet<String> = ["a".to_owned()].into();
        assert_eq!(paths(visible(&rows, &folded)), ["a", "ab", "ab/x"]);
        let folded: BTreeSet<String> = ["a/b".to_owned()].into();
        assert_eq!(
            paths(visible(&rows, &folded)),
            ["a", "a/", "a/b", "ab", "ab/x"]
        );
    }
}
