// The statement that installs the runtime into one thread and points emscripten's own variables
// at the wrappers. Shared by the two routes so they cannot drift apart:
//   - the library's __postset, with emscripten's compile-time macros as values;
//   - the post-link transform, with values read from the file it patches.
// Which functions it wraps and what `em` holds come from src/emscripten-api.js.
// values: { version, shape, dso: { size, mem_allocated, … } (each a JS expression, as text),
//           mem: accessors (libraryMem or transformMem), setTableEntry: a function expression }
// wraps: the wrapped names present in this build.
import { RUNTIME, WRAPPED } from '../../src/emscripten-api.js';

// The heap accesses the runtime makes (struct dso fields; dlsym's int out-parameter), each a
// function of a byte address p (and a value v).
const MEM_TYPES = { I8: 'i8', I32: 'i32', Ptr: '*' };

// Library route: emscripten's own makeGetValue/makeSetValue, so MEMORY64, addresses above 2 GiB
// and memory growth (emscripten's growable-heap pass rewrites these accesses like its own) are
// right by construction.
export function libraryMem() {
  return Object.fromEntries(Object.entries(MEM_TYPES).flatMap(([name, type]) => [
    [`get${name}`, `function (p) { return {{{ makeGetValue('p', 0, '${type}') }}}; }`],
    [`set${name}`, `function (p, v) { {{{ makeSetValue('p', 0, 'v', '${type}') }}}; }`],
  ]));
}

// Transform route: the same accesses written as emscripten wrote them in this file, from the
// views and the growth form of its own dso stores (anchors.mjs dsoLayout): `HEAPU32[p >>> 2]`,
// `(growMemViews(), HEAP32)[p >>> 2]`, `GROWABLE_HEAP_I8()[p]`, `Number(HEAPU64[p / 8])` …
export function transformMem({ views, access, memory64 }) {
  const view = (name) => {
    if (access === 'growable') return `GROWABLE_HEAP_${name.replace(/^HEAP(U?)/, (_, u) => u || 'I')}()`;
    return access === 'growMemViews' ? `(growMemViews(), ${name})` : name;
  };
  const at = (bytes) => (bytes === 1 ? 'p' : memory64 ? `p / ${bytes}` : `p >>> ${Math.log2(bytes)}`);
  const ptrBytes = memory64 ? 8 : 4;
  const ptr = `${view(views.ptr)}[${at(ptrBytes)}]`;
  return {
    getI8: `function (p) { return ${view(views.i8)}[p]; }`,
    setI8: `function (p, v) { ${view(views.i8)}[p] = v; }`,
    getI32: `function (p) { return ${view(views.i32)}[${at(4)}]; }`,
    setI32: `function (p, v) { ${view(views.i32)}[${at(4)}] = v; }`,
    getPtr: `function (p) { return ${memory64 ? `Number(${ptr})` : ptr}; }`,
    setPtr: `function (p, v) { ${ptr} = ${memory64 ? 'BigInt(v)' : 'v'}; }`,
  };
}

// How the runtime writes a table slot: through emscripten's setWasmTableEntry, which also
// updates wasmTableMirror, the per-thread cache behind getWasmTableEntry (dynCall, invoke_*,
// pthread start routines); a write past it would leave that cache running the old function.
// A file without setWasmTableEntry gets the same two steps (the mirror only where it has one).
export function transformSetTableEntry(text) {
  if (/\bvar setWasmTableEntry\s*=/.test(text)) return 'function (i, v) { setWasmTableEntry(i, v); }';
  const mirror = /\bvar wasmTableMirror\b/.test(text) ? ' wasmTableMirror[i] = v;' : '';
  return `function (i, v) { wasmTable.set(typeof wasmTable.length == 'bigint' ? BigInt(i) : i, v);${mirror} }`;
}
export const LIBRARY_SET_TABLE_ENTRY = 'function (i, v) { setWasmTableEntry(i, v); }';

// wraps: the wrapped functions this build has (the transform found them). Without it (the
// library route) every one is named, each line of an optional one marked `/*if SYMBOL*/` for the
// library to keep where the version defines it (tools/library-template.js).
export function installCall(values, wraps) {
  const names = wraps || Object.keys(WRAPPED);
  const mark = (name) => (!wraps && WRAPPED[name].optional ? ` /*if ${WRAPPED[name].symbol}*/` : '');
  const dso = Object.entries(values.dso).map(([k, v]) => `${k}: ${v}`).join(', ');
  const mem = Object.entries(values.mem).map(([k, v]) => `      ${k}: ${v},`).join('\n');
  const runtime = Object.entries(RUNTIME).map(([k, { js }]) => `    ${k}: ${js},`).join('\n');
  const originals = names.map((name) => `    ${name}: ${name},${mark(name)}`).join('\n');
  const assignments = names.map((name) => `  ${name} = wrapped.${name};${mark(name)}`).join('\n');
  return `(function () {
  var wrapped = pthreadDylink.install({
    version: ${values.version},
    shape: ${values.shape},
${runtime}
    setTableEntry: ${values.setTableEntry},
    mem: {
${mem}
    },
    dso: { ${dso} },
  }, {
${originals}
  });
${assignments}
})();`;
}
