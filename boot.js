// Starts the wasm app. A static module instead of Trunk's inline script, so the page's
// Content-Security-Policy can forbid inline scripts altogether.
const tag = document.querySelector("script[data-app-js]");
const { default: init } = await import(tag.dataset.appJs);
const wasm = await init({ module_or_path: tag.dataset.appWasm });
// The wasm memory, for the benchmark's memory figure (`tests/bench/lib/sections.mjs`).
window.__ppWasmMemory = wasm.memory;
