//! `mqttlab run`, `mqttlab swarm` and `mqttlab bench-sim`: the simulator on the
//! command line.

pub mod bench;
pub mod run;
pub mod swarm;
