//! One file per component, each with its `Properties`.

pub mod broker_log;
pub mod broker_state;
pub mod charts_panel;
pub mod diagram_filter;
pub mod fault_rules;
pub mod findings;
pub mod fork;
pub mod frame;
pub mod packet_inspector;
pub mod scenario_editor;
pub mod scenario_highlight;
pub mod sequence_diagram;
pub mod sweep_panel;
pub mod terminal;
pub mod time_controls;
pub mod timeline;
pub mod topic_matcher;
pub mod topic_tree;
pub mod topology;
pub mod views_panel;
pub mod world_view;
