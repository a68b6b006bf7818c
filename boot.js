// Starts the wasm app. A static module instead of Trunk's inline script, so the page's
// Content-Security-Policy can forbid inline scripts altogether.
const tag = document.querySelector("script[data-app-js]");
try {
  const { default: init } = await import(tag.dataset.appJs);
  const wasm = await init({ module_or_path: tag.dataset.appWasm });
  // The wasm memory, for the benchmark's memory figure (`tests/bench/lib/sections.mjs`).
  window.__ppWasmMemory = wasm.memory;
} catch (error) {
  // A failed download (offline, or the tab navigated away mid-load) says so in the first view.
  const status = document.querySelector("#boot-shell .boot-loading");
  if (status) status.textContent = `The playground could not load (${error}). Reload to try again.`;
}
