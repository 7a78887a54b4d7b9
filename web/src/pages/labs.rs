//! The list of guided labs, with the student's progress in each.

use yew::prelude::*;

use crate::i18n::glossary::GLOSSARY;
use crate::i18n::{t, Lang, Text};
use crate::labs::{self, progress};
use crate::route::Page;

/// Properties of [`LabsPage`].
#[derive(Properties, PartialEq)]
pub struct LabsPageProps {
    /// The language.
    pub lang: Lang,
}

/// Every lab as a card.
#[function_component(LabsPage)]
pub fn labs_page(props: &LabsPageProps) -> Html {
    let lang = props.lang;
    let done = progress::load();
    let cards = labs::cards()
        .into_iter()
        .map(|lab| {
            let steps = lab.steps;
            let n = done.get(&lab.id).copied().unwrap_or(0).min(steps);
            let href = format!("#{}", Page::Lab(lab.id.clone()).path());
            html! {
                <a class={classes!("lab-card", (n == steps).then_some("complete"))} {href} id={format!("lab-{}", lab.id)}>
                    <span class="badge">{ if lab.course { t(lang, Text::FromTheCourse) } else { t(lang, Text::Extra) } }</span>
                    <h3>{ lab.title.get(lang) }</h3>
                    <p>{ lab.goal.get(lang) }</p>
                    <span class="progress">
                        <progress max={steps.to_string()} value={n.to_string()} />
                        { format!(" {n}/{steps} {}", t(lang, Text::StepsDone)) }
                    </span>
                </a>
            }
        })
        .collect::<Html>();
    html! {
        <section class="labs-page">
            <h2>{ t(lang, Text::NavLabs) }</h2>
            <p class="intro">{ t(lang, Text::LabsIntro) }</p>
            <div class="lab-cards">{ cards }</div>
            <section id="glossary" class="panel glossary">
                <h2>{ t(lang, Text::Glossary) }</h2>
                <p class="intro">{ t(lang, Text::GlossaryIntro) }</p>
                <table>
                    <thead><tr>
                        <th>{ t(lang, Text::InPortuguese) }</th><th>{ t(lang, Text::InEnglish) }</th>
                        <th>{ t(lang, Text::InTheCourse) }</th>
                    </tr></thead>
                    <tbody>{ for GLOSSARY.iter().map(|g| html! {
                        <tr><td lang="pt-BR">{ g.pt }</td><td lang="en">{ g.en }</td><td lang="pt-BR">{ g.course }</td></tr>
                    }) }</tbody>
                </table>
            </section>
        </section>
    }
}
