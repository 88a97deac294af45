//! A broker node: no program of its own and no ZeroMQ sockets; it owns
//! the broker's state (`crate::broker::Broker`) and answers the frames its
//! clients (task producers and workers) send over their broker
//! connections. Its scenario entry declares its queues and transport.

use std::collections::BTreeSet;

use crate::{
    broker::{Broker, BrokerSpec},
    sim::{ScenarioError, scenario::ParamProblem},
};

/// Checks a broker's declaration and builds its state.
pub fn build(node: &str, spec: &BrokerSpec) -> Result<Broker, ScenarioError> {
    let bad = |param: &str, problem| ScenarioError::BadParam {
        node: node.to_string(),
        param: param.to_string(),
        socket: None,
        problem,
    };
    if spec.queues.is_empty() {
        return Err(bad("queues", ParamProblem::EmptyList));
    }
    let mut names = BTreeSet::new();
    for q in &spec.queues {
        if q.name.trim().is_empty() || !names.insert(q.name.as_str()) {
            return Err(bad(
                "queues",
                ParamProblem::BadQueue {
                    queue: q.name.clone(),
                },
            ));
        }
    }
    for q in &spec.queues {
        if let Some(dlq) = &q.dead_letter
            && (!names.contains(dlq.as_str()) || dlq == &q.name)
        {
            return Err(bad(
                "dead_letter",
                ParamProblem::BadQueue { queue: dlq.clone() },
            ));
        }
    }
    if spec.visibility_timeout == crate::time::Tick::ZERO {
        return Err(bad(
            "visibility_timeout",
            ParamProblem::OutOfRange {
                value: 0,
                min: 1,
                max: i64::MAX,
            },
        ));
    }
    Ok(Broker::new(spec.clone()))
}
