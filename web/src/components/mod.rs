//! One file per component, each with its `Properties`.

pub mod packet_inspector;
pub mod topic_matcher;
