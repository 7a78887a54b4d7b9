//! One file per component, each with its `Properties`.

pub mod topic_matcher;
