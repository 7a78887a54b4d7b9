//! The packet inspector: the core's Wireshark-style dissection tree beside the hex
//! bytes, each highlighting the other. Hovering a field lights its bytes; hovering
//! a byte lights the innermost field that covers it; a click pins the highlight.

use std::ops::Range;
use std::rc::Rc;

use mqttlab_core::codec::{dissect_as, Field, Protocol};
use yew::prelude::*;

use crate::i18n::{count, t, Lang, Noun, Text};

/// Bytes shown per row of the hex view, as Wireshark's bytes pane does.
pub const BYTES_PER_ROW: usize = 16;

/// Properties of [`PacketInspector`].
#[derive(Properties, PartialEq)]
pub struct PacketInspectorProps {
    /// The bytes to dissect: one packet, several, or garbage.
    pub bytes: Rc<Vec<u8>>,
    /// The language of the panel's own words (the tree keeps Wireshark's English).
    pub lang: Lang,
    /// The protocol level to read at; `None` learns it from a CONNECT (packets
    /// before any CONNECT are 3.1.1).
    #[prop_or(Some(Protocol::V311))]
    pub protocol: Option<Protocol>,
}

/// A field flattened for display: its depth in the tree and its place in the list.
struct Row<'a> {
    depth: usize,
    field: &'a Field,
}

fn rows(tree: &[Field]) -> Vec<Row<'_>> {
    tree.iter()
        .flat_map(|root| root.walk())
        .map(|(depth, field)| Row { depth, field })
        .collect()
}

/// The innermost field (deepest, then narrowest) that covers byte `at`, by its index
/// in `rows`.
fn innermost(rows: &[Row<'_>], at: usize) -> Option<usize> {
    rows.iter()
        .enumerate()
        .filter(|(_, r)| r.field.range.contains(&at))
        .max_by_key(|(_, r)| (r.depth, usize::MAX - r.field.range.len()))
        .map(|(i, _)| i)
}

/// The dissection tree and the hex view of `bytes`.
#[function_component(PacketInspector)]
pub fn packet_inspector(props: &PacketInspectorProps) -> Html {
    let lang = props.lang;
    let tree = use_memo(
        (props.bytes.clone(), props.protocol),
        |(bytes, protocol)| dissect_as(bytes, *protocol),
    );
    let hovered = use_state(|| None::<usize>);
    let pinned = use_state(|| None::<usize>);

    // A new packet invalidates row indices.
    {
        let hovered = hovered.clone();
        let pinned = pinned.clone();
        use_effect_with(props.bytes.clone(), move |_| {
            hovered.set(None);
            pinned.set(None);
        });
    }

    let rows = rows(&tree);
    let active = (*hovered).or(*pinned).filter(|&i| i < rows.len());
    let lit: Range<usize> = active.map(|i| rows[i].field.range.clone()).unwrap_or(0..0);

    let tree_html = rows
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let f = row.field;
            let onmouseenter = {
                let hovered = hovered.clone();
                Callback::from(move |_| hovered.set(Some(i)))
            };
            let onmouseleave = {
                let hovered = hovered.clone();
                Callback::from(move |_| hovered.set(None))
            };
            let onclick = {
                let pinned = pinned.clone();
                let now = *pinned;
                Callback::from(move |_| pinned.set(if now == Some(i) { None } else { Some(i) }))
            };
            let class = classes!(
                "field",
                f.is_error.then_some("error"),
                (active == Some(i)).then_some("lit"),
                (row.depth == 0).then_some("root"),
            );
            let style = format!("padding-left: {}rem", 0.4 + 1.2 * row.depth as f32);
            html! {
                <li {class} {style} {onmouseenter} {onmouseleave} {onclick}
                    data-range={format!("{}..{}", f.range.start, f.range.end)}>
                    { &f.label }
                </li>
            }
        })
        .collect::<Html>();

    let hex_rows = props
        .bytes
        .chunks(BYTES_PER_ROW)
        .enumerate()
        .map(|(r, chunk)| {
            let base = r * BYTES_PER_ROW;
            let cells = chunk
                .iter()
                .enumerate()
                .map(|(k, b)| {
                    let at = base + k;
                    let onmouseenter = {
                        let hovered = hovered.clone();
                        let found = innermost(&rows, at);
                        Callback::from(move |_| hovered.set(found))
                    };
                    let onmouseleave = {
                        let hovered = hovered.clone();
                        Callback::from(move |_| hovered.set(None))
                    };
                    let class = classes!("byte", lit.contains(&at).then_some("lit"));
                    html! {
                        <span {class} {onmouseenter} {onmouseleave} data-at={at.to_string()}>
                            { format!("{b:02x}") }
                        </span>
                    }
                })
                .collect::<Html>();
            let ascii = chunk
                .iter()
                .enumerate()
                .map(|(k, b)| {
                    let at = base + k;
                    let c = if b.is_ascii_graphic() || *b == b' ' {
                        *b as char
                    } else {
                        '.'
                    };
                    let class = classes!("char", lit.contains(&at).then_some("lit"));
                    html! { <span {class}>{ c }</span> }
                })
                .collect::<Html>();
            html! {
                <div class="hex-row">
                    <span class="offset">{ format!("{base:04x}") }</span>
                    <span class="bytes">{ cells }</span>
                    <span class="ascii">{ ascii }</span>
                </div>
            }
        })
        .collect::<Html>();

    html! {
        <div class="packet-inspector">
            <section class="dissection" aria-label={t(lang, Text::InspectorTree)}>
                <h3>{ t(lang, Text::InspectorTree) }</h3>
                if rows.is_empty() {
                    <p class="empty">{ t(lang, Text::InspectorEmpty) }</p>
                } else {
                    <ul class="tree">{ tree_html }</ul>
                }
            </section>
            <section class="hex" aria-label={t(lang, Text::InspectorBytes)}>
                <h3>{ format!("{} ({})", t(lang, Text::InspectorBytes), count(lang, props.bytes.len() as u64, Noun::Byte)) }</h3>
                <div class="hex-view">{ hex_rows }</div>
            </section>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mqttlab_core::codec::dissect;

    #[test]
    fn a_byte_lights_the_innermost_field() {
        // The course text's PUBLISH: 0x33, length 18, topic "topico", id 1, "mensagem".
        let mut bytes = vec![0x33, 18, 0, 6];
        bytes.extend_from_slice(b"topico");
        bytes.extend_from_slice(&[0, 1]);
        bytes.extend_from_slice(b"mensagem");
        let tree = dissect(&bytes);
        let rows = rows(&tree);
        let label = |at| rows[innermost(&rows, at).unwrap()].field.label.as_str();
        assert!(label(1).starts_with("Msg Len: 18"), "{}", label(1));
        assert!(label(5).starts_with("Topic: topico"), "{}", label(5));
        assert!(
            label(11).starts_with("Message Identifier: 1"),
            "{}",
            label(11)
        );
        assert!(label(19).starts_with("Message: "), "{}", label(19));
        // Byte 0 is covered by the header flags and its bit views: the deepest wins.
        assert_eq!(rows[innermost(&rows, 0).unwrap()].depth, 2);
    }
}
