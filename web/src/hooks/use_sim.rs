//! The page's hold on the simulated world: a [`SimHandle`] to read the mirror
//! and send requests, re-rendering the component as updates arrive (at most
//! once per [`RENDER_MS`], however fast the worker sends them).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gloo_timers::callback::Timeout;
use yew::prelude::*;

use crate::download::download;
use crate::sim::host::LAB_SEED;
use crate::sim::mirror::Mirror;
use crate::sim::protocol::{ExportKind, ForkSpec, Reply, Request, WorldSource};

/// The page's clock, in milliseconds (what a scrub's figure is measured with).
pub fn perf_now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or_else(js_sys::Date::now, |p| p.now())
}
use crate::sim::service;

/// Milliseconds between renders caused by updates: one frame when the world
/// answers a click, a few frames while a long run streams updates (drawing the
/// page is then what costs the main thread most, and ten pictures a second of a
/// fast-forward are plenty).
pub const RENDER_MS: u32 = 16;
/// See [`RENDER_MS`].
pub const RENDER_MS_BUSY: u32 = 100;

/// The world as a component sees it.
#[derive(Clone)]
pub struct SimHandle {
    /// What the page knows of the world.
    pub mirror: Rc<RefCell<Mirror>>,
    /// Bumped on every update, so that components re-render when it moved.
    pub version: u64,
    exports: Rc<RefCell<Vec<(ExportKind, String)>>>,
    /// Draws the page that holds the world again (all of it: a lab's docked
    /// terminal too, not only the world view).
    redraw: Callback<()>,
}

impl PartialEq for SimHandle {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.mirror, &other.mirror) && self.version == other.version
    }
}

impl SimHandle {
    /// Sends a request about the current world. Anything that moves or
    /// changes the world brings the page back from a scrubbed moment to now.
    pub fn send(&self, request: Request) {
        // A teacher's freeze stops the clock: no request that runs time goes.
        if crate::classroom::student::frozen()
            && matches!(
                request,
                Request::Advance { .. } | Request::RunTo { .. } | Request::StepPacket
            )
        {
            return;
        }
        if matches!(
            request,
            Request::Advance { .. } | Request::RunTo { .. } | Request::StepPacket
        ) {
            self.mirror.borrow_mut().awaiting = true;
        }
        if !matches!(
            request,
            Request::Export { .. } | Request::Scrub { .. } | Request::Fork(_) | Request::Halt
        ) {
            self.live();
        }
        service::send(request);
    }

    /// Shows the world as it was at `to_us`. While the worker rebuilds one
    /// moment, a drag's later positions wait: only the last is asked for next.
    pub fn scrub(&self, to_us: u64) {
        let mut m = self.mirror.borrow_mut();
        m.scrubbing = true;
        if m.scrub_asked.is_some() {
            m.scrub_next = Some(to_us);
            return;
        }
        m.scrub_asked = Some((to_us, perf_now()));
        let have = m.held_moment();
        drop(m);
        service::send(Request::Scrub { to_us, have });
    }

    /// Back to the live world, drawn at once.
    pub fn live(&self) {
        let mut m = self.mirror.borrow_mut();
        let was = m.moment.take().is_some();
        m.scrubbing = false;
        m.scrub_next = None;
        drop(m);
        if was {
            self.redraw.emit(());
        }
    }

    /// Branches the run (the answer shows beside the diagram).
    pub fn fork(&self, spec: ForkSpec) {
        let mut m = self.mirror.borrow_mut();
        m.fork = None;
        m.fork_asked = true;
        drop(m);
        service::send(Request::Fork(Box::new(spec)));
    }

    /// Forks a lab's run at step `step`'s action, as the step's "what if" says.
    pub fn lab_fork(&self, step: usize) {
        let mut m = self.mirror.borrow_mut();
        m.fork = None;
        m.fork_asked = true;
        drop(m);
        service::send(Request::LabFork { step });
    }

    /// Closes the fork.
    pub fn close_fork(&self) {
        let mut m = self.mirror.borrow_mut();
        m.fork = None;
        m.fork_asked = false;
    }

    /// Builds a new world in place of the current one.
    pub fn load(&self, world: WorldSource) {
        let epoch = service::next_epoch();
        let mut mirror = Mirror::new(epoch);
        // The seed is known before the worker answers: show it at once.
        mirror.seed = match &world {
            WorldSource::Scenario { seed, .. } => seed.unwrap_or(1),
            WorldSource::Lab { .. } => LAB_SEED,
        };
        *self.mirror.borrow_mut() = mirror;
        service::send(Request::Load { epoch, world });
    }

    /// Asks for the trace as a file, downloaded as `name` when it is ready.
    pub fn export(&self, kind: ExportKind, name: String) {
        self.exports.borrow_mut().push((kind, name));
        service::send(Request::Export { kind });
    }
}

fn mime(kind: ExportKind) -> &'static str {
    match kind {
        ExportKind::Json => "application/json",
        ExportKind::Pcap => "application/vnd.tcpdump.pcap",
        ExportKind::Svg { .. } => "image/svg+xml",
    }
}

/// Holds a world for the component, built from `world` on mount (or later, by
/// [`SimHandle::load`]).
#[hook]
pub fn use_sim(world: Option<WorldSource>) -> SimHandle {
    let mirror = use_mut_ref(Mirror::default);
    let version = use_mut_ref(|| 0u64);
    let exports = use_mut_ref(Vec::<(ExportKind, String)>::new);
    let force = use_force_update();
    let redraw = {
        let version = version.clone();
        let force = force.clone();
        Callback::from(move |()| {
            *version.borrow_mut() += 1;
            force.force_update();
        })
    };
    let handle = SimHandle {
        mirror: mirror.clone(),
        version: *version.borrow(),
        exports: exports.clone(),
        redraw,
    };
    {
        let handle = handle.clone();
        use_effect_with((), move |_| {
            let pending = Rc::new(Cell::new(false));
            let listener: Rc<dyn Fn(Reply)> = Rc::new(move |reply: Reply| {
                if let Reply::Exported { epoch, kind, bytes } = reply {
                    let mut names = exports.borrow_mut();
                    if epoch == mirror.borrow().epoch {
                        if let Some(i) = names.iter().position(|(k, _)| *k == kind) {
                            let (_, name) = names.remove(i);
                            let _ = download(&name, mime(kind), &bytes);
                        }
                    }
                    return;
                }
                let moment = matches!(reply, Reply::Moment(_));
                if !mirror.borrow_mut().apply(reply) {
                    return;
                }
                if moment {
                    let mut m = mirror.borrow_mut();
                    // A moment asked for after "back to now" is not shown.
                    if let Some((_, asked)) = m.scrub_asked.take() {
                        m.scrub_ms = Some(perf_now() - asked);
                    }
                    if let Some(next) = m.scrub_next.take() {
                        m.scrub_asked = Some((next, perf_now()));
                        let have = m.held_moment();
                        service::send(Request::Scrub { to_us: next, have });
                    }
                    drop(m);
                    // The student is waiting for this moment: it is drawn at
                    // once, not at the next render tick.
                    *version.borrow_mut() += 1;
                    force.force_update();
                    return;
                }
                if pending.replace(true) {
                    return;
                }
                let pending = pending.clone();
                let version = version.clone();
                let force = force.clone();
                let delay = if mirror.borrow().busy {
                    RENDER_MS_BUSY
                } else {
                    RENDER_MS
                };
                Timeout::new(delay, move || {
                    pending.set(false);
                    *version.borrow_mut() += 1;
                    force.force_update();
                })
                .forget();
            });
            service::listen(listener.clone());
            if let Some(world) = world {
                handle.load(world);
            }
            move || service::unlisten(&listener)
        });
    }
    handle
}
