// The one table of per-version differences in emscripten's generated JS.
// `carrier` is how the shared state reaches a new worker. Emscripten already posts the
// `sharedModules` object (libName → compiled module) to every worker it loads; one more entry under
// a key no library can be named travels with it, so no message handler has to be patched.
export const CARRIER_KEY = '\u0000pthread-dylink';

// Oldest emscripten with dlopen syncing between threads (_emscripten_dlsync_self).
export const MIN_VERSION = '3.1.27';

export const SHAPES = {
  // 3.1.27+: dlopen is synced between threads (_emscripten_dlsync_self), sharedModules is posted.
  dlsync: { supported: true },
  // Before dlopen syncing (3.1.6): a runtime-loaded module never reaches a worker, so there is no
  // layout to reproduce.
  'pre-dlsync': {
    supported: false,
    reason: `this emscripten predates dlopen syncing between threads (added in ${MIN_VERSION}): modules ` +
      'loaded at runtime never reach workers, so no table layout can be reproduced there. ' +
      `Use emscripten ${MIN_VERSION} or newer.`,
  },
};

export function shapeFor(emscriptenVersion) {
  return versionNumber(emscriptenVersion) >= versionNumber(MIN_VERSION) ? SHAPES.dlsync : SHAPES['pre-dlsync'];
}

export function versionNumber(v) {
  const [major, minor, patch] = String(v).split(/[.-]/).map(Number);
  return major * 10000 + minor * 100 + patch;
}

// 5.0.7+: a main-thread dlopen's synchronous request wakes a thread asleep in a futex wait
// (emscripten_futex_wait's rework: ChangeLog 5.0.7, #26659), so emscripten's own wait for every
// thread ends (conformance S18, S19). A build patched after linking has no version here (null):
// there the plugin keeps its own wait, which ends on every version, only slower.
export const DLSYNC_WAKES_SLEEPERS_SINCE = '5.0.7';
export function dlsyncWakesSleepers(emscriptenVersion) {
  return emscriptenVersion != null && versionNumber(emscriptenVersion) >= versionNumber(DLSYNC_WAKES_SLEEPERS_SINCE);
}

// -sMEMORY64 with -pthread and dynamic linking, as the toolchain's own node runs it: 6.x (node 24
// runs memory64 and table64 unflagged). 3.1.69's node 20 needs --experimental-wasm-memory64.
export const MEMORY64_SINCE = '6.0.0';
export function memory64Runs(emscriptenVersion) {
  return versionNumber(emscriptenVersion) >= versionNumber(MEMORY64_SINCE);
}
