//! Topics and wildcards: the subscription matcher on a page of its own.

use yew::prelude::*;

use crate::components::topic_matcher::TopicMatcher;
use crate::i18n::Lang;

/// Properties of [`TopicsPage`].
#[derive(Properties, PartialEq)]
pub struct TopicsPageProps {
    /// The language to speak.
    pub lang: Lang,
}

/// The topic matcher page.
#[function_component(TopicsPage)]
pub fn topics_page(props: &TopicsPageProps) -> Html {
    html! { <TopicMatcher lang={props.lang} /> }
}
