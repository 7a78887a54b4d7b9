//! The first experiment of the course text in one box: a subscription filter with
//! `+`/`#` wildcards against a published topic, answered by the core's matcher.

use mqttlab_core::topic::{self, TopicError, TopicErrorKind};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::i18n::{t, Lang, Text};

/// What the broker would do with this filter and topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Both valid; the filter matches the topic.
    Delivered,
    /// Both valid; the filter does not match.
    NotDelivered,
    /// The filter breaks §4.7.
    BadFilter(TopicError),
    /// The topic name breaks §4.7 or §3.3.2.
    BadTopic(TopicError),
}

/// Asks the core what a broker would do.
pub fn evaluate(filter: &str, topic_name: &str) -> Outcome {
    if let Err(e) = topic::validate_filter(filter) {
        return Outcome::BadFilter(e);
    }
    if let Err(e) = topic::validate_name(topic_name) {
        return Outcome::BadTopic(e);
    }
    if topic::matches(filter, topic_name) {
        Outcome::Delivered
    } else {
        Outcome::NotDelivered
    }
}

/// Why a topic is refused, in the student's language.
pub fn explain(lang: Lang, e: &TopicError) -> String {
    use TopicErrorKind::*;
    let what = match (lang, e.kind) {
        (Lang::En, Empty) => "it is empty",
        (Lang::PtBr, Empty) => "está vazio",
        (Lang::En, TooLong) => "it is longer than 65535 bytes",
        (Lang::PtBr, TooLong) => "passa de 65535 bytes",
        (Lang::En, NullCharacter) => "it contains the null character",
        (Lang::PtBr, NullCharacter) => "contém o caractere nulo",
        (Lang::En, WildcardInName) => "a published topic cannot contain + or #",
        (Lang::PtBr, WildcardInName) => "um tópico publicado não pode conter + ou #",
        (Lang::En, MultiLevelNotLast) => "# must be alone in the last level",
        (Lang::PtBr, MultiLevelNotLast) => "# deve estar sozinho no último nível",
        (Lang::En, SingleLevelNotAlone) => "+ must fill a whole level",
        (Lang::PtBr, SingleLevelNotAlone) => "+ deve ocupar um nível inteiro",
    };
    format!("{what} (byte {}, {})", e.offset, e.kind.rule())
}

/// Properties of [`TopicMatcher`].
#[derive(Properties, PartialEq)]
pub struct TopicMatcherProps {
    /// The language to speak.
    pub lang: Lang,
}

/// Two inputs and the broker's verdict, updated as the student types.
#[function_component(TopicMatcher)]
pub fn topic_matcher(props: &TopicMatcherProps) -> Html {
    let lang = props.lang;
    let filter = use_state(|| "casa/+/temperatura".to_string());
    let topic_name = use_state(|| "casa/terreo/temperatura".to_string());

    let on_filter = {
        let filter = filter.clone();
        Callback::from(move |e: InputEvent| {
            filter.set(e.target_unchecked_into::<HtmlInputElement>().value());
        })
    };
    let on_topic = {
        let topic_name = topic_name.clone();
        Callback::from(move |e: InputEvent| {
            topic_name.set(e.target_unchecked_into::<HtmlInputElement>().value());
        })
    };

    let (class, verdict) = match evaluate(&filter, &topic_name) {
        Outcome::Delivered => ("verdict ok", t(lang, Text::Matches).to_string()),
        Outcome::NotDelivered => ("verdict no", t(lang, Text::NoMatch).to_string()),
        Outcome::BadFilter(e) => (
            "verdict error",
            format!("{} {}", t(lang, Text::BadFilter), explain(lang, &e)),
        ),
        Outcome::BadTopic(e) => (
            "verdict error",
            format!("{} {}", t(lang, Text::BadTopic), explain(lang, &e)),
        ),
    };

    html! {
        <section class="panel topic-matcher">
            <h2>{ t(lang, Text::MatcherTitle) }</h2>
            <p class="intro">{ t(lang, Text::MatcherIntro) }</p>
            <label>
                <span>{ t(lang, Text::FilterLabel) }</span>
                <input id="filter" type="text" spellcheck="false"
                    value={(*filter).clone()} oninput={on_filter} />
            </label>
            <label>
                <span>{ t(lang, Text::TopicLabel) }</span>
                <input id="topic" type="text" spellcheck="false"
                    value={(*topic_name).clone()} oninput={on_topic} />
            </label>
            <p id="verdict" class={class} role="status">{ verdict }</p>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_follow_the_core() {
        assert_eq!(
            evaluate("casa/+/temperatura", "casa/terreo/temperatura"),
            Outcome::Delivered
        );
        assert_eq!(
            evaluate("casa/+/temperatura", "casa/terreo/umidade"),
            Outcome::NotDelivered
        );
        assert!(matches!(
            evaluate("casa/#/x", "casa"),
            Outcome::BadFilter(_)
        ));
        assert!(matches!(evaluate("casa/#", "casa/+"), Outcome::BadTopic(_)));
    }

    #[test]
    fn refusals_are_explained_in_both_languages() {
        let Outcome::BadFilter(e) = evaluate("a/#/b", "a") else {
            panic!("a/#/b must be refused")
        };
        assert_eq!(
            explain(Lang::En, &e),
            "# must be alone in the last level (byte 2, MQTT-4.7.1-2)"
        );
        assert_eq!(
            explain(Lang::PtBr, &e),
            "# deve estar sozinho no último nível (byte 2, MQTT-4.7.1-2)"
        );
    }
}
