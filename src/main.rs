//! Entry point of the wasm app: mount the page, nothing else.

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(parallel_playground::ui::App);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("Parallel Playground runs in the browser: use `cargo xtask serve`.");
}
