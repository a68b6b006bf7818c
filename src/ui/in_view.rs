//! [`use_in_view`]: whether an element is on screen, or within a margin of it — the signal that
//! lets the timeline draw only the rows near the viewport.
//!
//! It comes from an `IntersectionObserver`, so the browser tells us when the answer changes
//! (scrolling, resizing, content above that grows or shrinks) and we never read layout
//! ourselves: no scroll handler, no forced layout in a frame that has just changed the DOM.
//!
//! ## Usage
//!
//! ```ignore
//! let chunk = NodeRef::<Div>::new();
//! let near = use_in_view(chunk, 600);
//! view! { <div node_ref=chunk>{move || near.get().then(|| view! { <ExpensiveRows /> })}</div> }
//! ```

use leptos::html::Div;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{IntersectionObserver, IntersectionObserverEntry, IntersectionObserverInit};

/// The observer of one element and the callback it calls (kept alive as long as it observes).
struct Watch {
    observer: IntersectionObserver,
    _callback: Closure<dyn FnMut(js_sys::Array)>,
}

/// `true` while `target` is within `margin_px` pixels (above or below) of the viewport.
///
/// `false` until the browser first reports, which it does in the frame after `target` is
/// mounted. The observer is disconnected when the calling owner is cleaned up.
pub fn use_in_view(target: NodeRef<Div>, margin_px: u32) -> Signal<bool> {
    let near = RwSignal::new(false);
    let watch = StoredValue::new_local(None::<Watch>);
    Effect::new(move |_| {
        let Some(element) = target.get() else { return };
        if watch.with_value(Option::is_some) {
            return;
        }
        let callback = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
            // Entries come oldest first: the last one is where the element is now.
            let latest = entries
                .iter()
                .filter_map(|e| e.dyn_into::<IntersectionObserverEntry>().ok())
                .next_back();
            if let Some(entry) = latest {
                let is_near = entry.is_intersecting();
                if near.try_get_untracked() != Some(is_near) {
                    near.try_set(is_near);
                }
            }
        });
        let options = IntersectionObserverInit::new();
        options.set_root_margin(&format!("{margin_px}px 0px"));
        if let Ok(observer) =
            IntersectionObserver::new_with_options(callback.as_ref().unchecked_ref(), &options)
        {
            observer.observe(&element);
            watch.set_value(Some(Watch {
                observer,
                _callback: callback,
            }));
        }
    });
    on_cleanup(move || {
        if let Some(Some(w)) = watch.try_update_value(Option::take) {
            w.observer.disconnect();
        }
    });
    near.into()
}
