//! `mqttlab run`, `mqttlab swarm`, `mqttlab sweep` and `mqttlab bench-sim`: the simulator on the
//! command line.

pub mod bench;
pub mod run;
pub mod state;
pub mod swarm;
pub mod sweep;
