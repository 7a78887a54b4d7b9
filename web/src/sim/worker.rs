//! The web worker the world runs in (registered by `serve_worlds` in `src/bin/app_pages.rs`).

use std::cell::Cell;
use std::rc::Rc;

use gloo_worker::{HandlerId, Worker, WorkerScope};

use super::protocol::{Reply, Request};
use super::runner::{receive, Runner, SharedRunner};

/// The simulation worker: one runner; replies go to the page that asked.
pub struct SimWorker {
    runner: SharedRunner,
    page: Rc<Cell<Option<HandlerId>>>,
}

impl Worker for SimWorker {
    type Message = ();
    type Input = Request;
    type Output = Reply;

    fn create(scope: &WorkerScope<Self>) -> Self {
        let page = Rc::new(Cell::new(None::<HandlerId>));
        let out = {
            let scope = scope.clone();
            let page = page.clone();
            Rc::new(move |reply: Reply| {
                if let Some(id) = page.get() {
                    scope.respond(id, reply);
                }
            })
        };
        SimWorker {
            runner: Runner::shared(out),
            page,
        }
    }

    fn update(&mut self, _scope: &WorkerScope<Self>, _msg: Self::Message) {}

    fn received(&mut self, _scope: &WorkerScope<Self>, msg: Self::Input, id: HandlerId) {
        self.page.set(Some(id));
        receive(&self.runner, msg);
    }
}
