//! MQTT Lab's browser app (yew). The page's first load (`main.rs`) mounts the
//! [`shell`] (the labs list); the pages module (`bin/app_pages.rs`) mounts [`App`],
//! every page, and is also the simulation worker's code. The components live
//! in `components/`, one file each, and every string the student reads comes from
//! [`i18n`] in English and Brazilian Portuguese.

pub mod app;
pub mod charts;
pub mod classroom;
pub mod components;
pub mod download;
pub mod hooks;
pub mod i18n;
pub mod labs;
pub mod live;
pub mod pages;
pub mod route;
pub mod session;
pub mod shell;
pub mod sim;

pub use app::{App, AppProps};
