//! Typed ids for the parts of a world, so a node can never be passed where a link
//! is meant, and the errors a bad id gives.
//!
//! A node's and a link's id is its place in the world, in the order it was added
//! (`u32`, never `usize`, so ids read the same on every target). A connection's id
//! is the broker's [`ConnId`](crate::broker::ConnId), numbered by the world from 1.

use core::fmt;

/// A node (broker or client host) of a world.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId(u32);

/// A link between a client host and its broker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LinkId(u32);

macro_rules! index_id {
    ($t:ident, $what:literal) => {
        impl $t {
            /// The id with this number (which may name nothing in a given world).
            pub const fn new(n: u32) -> Self {
                $t(n)
            }
            /// Its number.
            pub const fn get(self) -> u32 {
                self.0
            }
            /// Its place in the world's table.
            pub(crate) const fn index(self) -> usize {
                self.0 as usize
            }
            /// The id of the `i`-th entry of a table (a world holds fewer than 2^32).
            pub(crate) fn at(i: usize) -> Self {
                $t(u32::try_from(i).expect(concat!("fewer than 2^32 ", $what, "s")))
            }
        }

        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!($what, " #{}"), self.0)
            }
        }
    };
}

index_id!(NodeId, "node");
index_id!(LinkId, "link");

/// Why the world refused a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorldError {
    /// No node has this id.
    UnknownNode(NodeId),
    /// The node exists but is not a broker, and a broker is needed.
    NotABroker(NodeId),
    /// The node exists but is not a client host, and one is needed.
    NotAClient(NodeId),
    /// A node of this name already exists.
    DuplicateName(String),
}

impl fmt::Display for WorldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WorldError::UnknownNode(id) => write!(f, "there is no {id}"),
            WorldError::NotABroker(id) => write!(f, "{id} is not a broker"),
            WorldError::NotAClient(id) => write!(f, "{id} is not a client host"),
            WorldError::DuplicateName(n) => write!(f, "a node named '{n}' already exists"),
        }
    }
}

impl std::error::Error for WorldError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_show_what_they_name() {
        assert_eq!(NodeId::new(3).to_string(), "node #3");
        assert_eq!(LinkId::new(0).to_string(), "link #0");
        assert_eq!(NodeId::at(7).index(), 7);
        assert_eq!(
            WorldError::NotABroker(NodeId::new(1)).to_string(),
            "node #1 is not a broker"
        );
    }
}
