//! A sensor's value model: `constant(V)`, `walk(START,STEP)`, `sine(MEAN,AMP,PERIOD)`,
//! `steps(EVERY,V1,...)`, `count(START,STEP)`, `heated(HEATER,START,AMBIENT,RATE)`.

use crate::sim::node::ValueModel;
use crate::sim::scenario::errors::{Problem, ScenarioError};
use crate::sim::scenario::expected::{Expected, ModelForm};
use crate::sim::scenario::units::parse_duration;

use super::cursor::{Cur, R};

pub(super) fn model(c: &mut Cur) -> R<ValueModel> {
    let col = c.col();
    let mut text = c.text(Expected::ValueModel)?;
    // Students write `sine(20, 5, 600s)` with spaces: the arguments go on until the
    // word that closes the parenthesis.
    while text.contains('(') && !text.ends_with(')') && c.peek_word().is_some() {
        text.push(' ');
        text.push_str(&c.text(Expected::ValueModelRest)?);
    }
    let bad = |form: ModelForm| {
        Err(ScenarioError::new(
            c.line,
            col,
            Problem::BadValueModel(form),
        ))
    };
    let (name, args) = match text.split_once('(') {
        Some((n, rest)) => match rest.strip_suffix(')') {
            Some(a) => (n, a),
            None => return bad(ModelForm::Unclosed),
        },
        None => (text.as_str(), ""),
    };
    let args: Vec<&str> = args
        .split(',')
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .collect();
    let num = |s: &str| s.parse::<f64>().ok().filter(|v| v.is_finite());
    match (name, args.as_slice()) {
        ("constant", [v]) => {
            num(v).map_or_else(|| bad(ModelForm::Constant), |v| Ok(ValueModel::Constant(v)))
        }
        ("walk", [s, st]) => match (num(s), num(st)) {
            (Some(start), Some(step)) => Ok(ValueModel::Walk { start, step }),
            _ => bad(ModelForm::Walk),
        },
        ("sine", [m, a, p]) => match (num(m), num(a), parse_duration(p)) {
            (Some(mean), Some(amplitude), Some(period)) => Ok(ValueModel::Sine {
                mean,
                amplitude,
                period,
            }),
            _ => bad(ModelForm::Sine),
        },
        ("steps", [every, values @ ..]) if !values.is_empty() => {
            let vals: Option<Vec<f64>> = values.iter().map(|v| num(v)).collect();
            match (parse_duration(every), vals) {
                (Some(every), Some(values)) => Ok(ValueModel::Steps { every, values }),
                _ => bad(ModelForm::Steps),
            }
        }
        ("count", [s, st]) => match (num(s), num(st)) {
            (Some(start), Some(step)) => Ok(ValueModel::Count { start, step }),
            _ => bad(ModelForm::Count),
        },
        ("heated", [h, s, a, r]) => match (num(s), num(a), num(r)) {
            (Some(start), Some(ambient), Some(rate)) => Ok(ValueModel::Heated {
                heater: (*h).to_owned(),
                start,
                ambient,
                rate,
            }),
            _ => bad(ModelForm::Heated),
        },
        _ => bad(ModelForm::Unknown),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{err, ok};
    use crate::sim::node::ValueModel;
    use crate::sim::scenario::ast::NodeKind;
    use core::time::Duration;

    fn model_of(m: &str) -> ValueModel {
        let sc = ok(&format!(
            "broker b\nsensor s -> b topic t every 1s model {m}"
        ));
        match &sc.nodes[1].kind {
            NodeKind::Sensor { model, .. } => model.clone(),
            k => panic!("{k:?}"),
        }
    }

    #[test]
    fn every_model_and_spaces_inside_the_parentheses() {
        assert_eq!(model_of("constant(3)"), ValueModel::Constant(3.0));
        assert_eq!(
            model_of("count(1, 1)"),
            ValueModel::Count {
                start: 1.0,
                step: 1.0
            }
        );
        assert_eq!(
            model_of("walk(20, 0.5)"),
            ValueModel::Walk {
                start: 20.0,
                step: 0.5
            }
        );
        assert_eq!(
            model_of("sine(20, 5, 600s)"),
            ValueModel::Sine {
                mean: 20.0,
                amplitude: 5.0,
                period: Duration::from_secs(600)
            }
        );
        assert_eq!(
            model_of("steps(60s,18,22)"),
            ValueModel::Steps {
                every: Duration::from_secs(60),
                values: vec![18.0, 22.0]
            }
        );
        assert_eq!(
            model_of("heated(h1,18,15,0.1)"),
            ValueModel::Heated {
                heater: "h1".into(),
                start: 18.0,
                ambient: 15.0,
                rate: 0.1
            }
        );
    }

    #[test]
    fn bad_models_say_what_is_expected_where() {
        assert_eq!(
            err("broker b\nsensor s -> b topic t every 1s model sine(20,5,x)"),
            (
                2,
                38,
                "write the value model as sine(MEAN, AMPLITUDE, PERIOD), e.g. sine(20, 5, 600s)"
                    .into()
            )
        );
        assert_eq!(
            err("broker b\nsensor s -> b topic t every 1s model sine(20,5,1s"),
            (
                2,
                38,
                "a value model's arguments end with ')', e.g. sine(20, 5, 600s)".into()
            )
        );
        let (_, col, msg) = err("broker b\nsensor s -> b topic t every 1s model noise(1)");
        assert_eq!(col, 38);
        assert!(
            msg.starts_with("unknown value model; use constant(V)"),
            "{msg}"
        );
        assert_eq!(
            err("broker b\nsensor s -> b topic t every 1s model constant(inf)"),
            (2, 38, "write the value model as constant(VALUE)".into())
        );
    }
}
