//! The lab's pages, one file each; [`crate::app`] switches between them.

pub mod capture;
pub mod connect;
pub mod inspect;
pub mod join;
pub mod lab;
pub mod labs;
pub mod teacher;
pub mod topics;
pub mod workspace;
