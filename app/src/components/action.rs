//! One pending action at a time per form: its busy flag (buttons disable, labels change) and its error message.

use std::future::Future;

use dioxus::prelude::*;

#[derive(Clone, Copy, PartialEq)]
pub struct Action {
    pub busy: Signal<bool>,
    pub error: Signal<Option<String>>,
}

pub fn use_action() -> Action {
    Action {
        busy: use_signal(|| false),
        error: use_signal(|| None),
    }
}

impl Action {
    /// Starts `work` unless this action is already running; a failure's Japanese message is shown by the form.
    pub fn run<F>(self, work: impl FnOnce() -> F)
    where
        F: Future<Output = Result<(), String>> + 'static,
    {
        let Action {
            mut busy,
            mut error,
        } = self;
        if busy() {
            return;
        }
        busy.set(true);
        error.set(None);
        let work = work();
        spawn(async move {
            let result = work.await;
            busy.set(false);
            if let Err(message) = result {
                error.set(Some(message));
            }
        });
    }
}
