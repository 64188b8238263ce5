// The statement that installs the runtime into one thread and points emscripten's own variables
// at the wrappers. Shared by the two routes so they cannot drift apart:
//   - the library's __postset, with emscripten's compile-time macros as values;
//   - the post-link transform, with values read from the file it patches.
// values: { version, shape, dso: { size, mem_allocated, mem_addr, mem_size, table_addr, table_size } }
// (each a JS expression, as text); wraps: the generated names present in this build.
export const WRAPPABLE = {
  loadWebAssemblyModule: 'loadWebAssemblyModule',
  loadDynamicLibrary: 'loadDynamicLibrary',
  getEmptyTableSlot: 'getEmptyTableSlot',
  __dlsym_js: '_dlsym_js',
  __dlsym_catchup_js: '_dlsym_catchup_js',
  addFunction: 'addFunction',
  removeFunction: 'removeFunction',
  invokeEntryPoint: 'invokeEntryPoint',
};

export function installCall(values, wraps = Object.keys(WRAPPABLE)) {
  const dso = Object.entries(values.dso).map(([k, v]) => `${k}: ${v}`).join(', ');
  const originals = wraps.map((name) => `    ${WRAPPABLE[name]}: ${name},`).join('\n');
  const assignments = wraps.map((name) => `  ${name} = wrapped.${WRAPPABLE[name]};`).join('\n');
  return `(function () {
  var wrapped = pthreadDylink.install({
    version: ${values.version},
    shape: ${values.shape},
    isWorker: !!ENVIRONMENT_IS_PTHREAD,
    table: function () { return wasmTable; },
    carrier: function () { return sharedModules; },
    heap8: function () { return HEAP8; },
    heap32: function () { return HEAP32; },
    // Asked when needed: wasm exports are assigned after this runs.
    hasMalloc: function () { return typeof _malloc == 'function'; },
    malloc: function (n) { return _malloc(n); },
    free: function (p) { _free(p); },
    utf8ToString: function (p) { return UTF8ToString(p); },
    loadedLibsByName: function () { return LDSO.loadedLibsByName; },
    freeTableIndexes: function () { return freeTableIndexes; },
    runtimeInitialized: function () { return runtimeInitialized; },
    dlsyncSelf: function () { __emscripten_dlsync_self(); },
    convertJsFunctionToWasm: function () { return typeof convertJsFunctionToWasm == 'function' ? convertJsFunctionToWasm : null; },
    warn: function (m) { err(m); },
    logBytes: Module['pthreadDylinkLogBytes'],
    verify: !!Module['pthreadDylinkVerify'],
    dso: { ${dso} },
  }, {
${originals}
  });
${assignments}
})();`;
}

// Names the install call reads from emscripten's scope besides the wrapped ones.
export const SCOPE_NAMES = ['ENVIRONMENT_IS_PTHREAD', 'wasmTable', 'sharedModules', 'HEAP8', 'HEAP32',
  'UTF8ToString', 'LDSO', 'freeTableIndexes', 'runtimeInitialized', 'err', 'Module'];
