// Find, in emscripten's generated JS, the definitions the runtime wraps, and check each with
// acorn. Only the statements we rely on are parsed (a full parse of a 5 MB file costs ~0.4 s).
import * as acorn from 'acorn';
import * as walk from 'acorn-walk';

import { WRAPPED, wrappedThatSays } from '../../src/emscripten-api.js';
import { MIN_VERSION } from '../../src/versions.js';

export class Unpatchable extends Error {}

// What each wrapped definition must look like (src/emscripten-api.js): `params` is checked on the
// parsed function. Optional ones may be absent: then there is nothing of them to wrap.
const MODULE_LOADER = wrappedThatSays('main module');
const DLSYNC_MARK = wrappedThatSays('dlsync');
export const ANCHORS = Object.entries(WRAPPED).map(([name, { kind, params, optional }]) => ({ name, kind, params, optional: !!optional }));

const ECMA = { ecmaVersion: 'latest', sourceType: 'script', allowReturnOutsideFunction: true };

// Where `var NAME = <function>` or `function NAME(` is defined. Several matches (a name reused
// in a nested scope) or none: refuse rather than guess.
function locate(text, anchor) {
  const hits = [anchor.kind].flat().flatMap((kind) => definitions(text, { ...anchor, kind }).map((at) => ({ ...at, kind })));
  if (hits.length !== 1) return { found: hits.length };
  const at = hits[0];
  if (at.kind === 'var') {
    const fn = parseAt(text, at.valueStart, anchor.name);
    let end = fn.end;
    while (/\s/.test(text[end])) end++;
    if (text[end] !== ';') throw new Unpatchable(`the definition of ${anchor.name} does not end its statement (found ${JSON.stringify(text.slice(end, end + 10))})`);
    return { found: 1, fn, statementEnd: end + 1 };
  }
  const fn = parseAt(text, at.keyword, anchor.name);
  return { found: 1, fn, statementEnd: fn.end };
}

// Every `var NAME =` / `function NAME(` that starts a statement: at the start of the text or
// after `;`, `}`, a line break or a comment's end (-O0 growth output re-emits `*/ var f = …`).
// Found with indexOf and checked around each hit: a regex over a 5 MB file costs ~0.3 s.
function definitions(text, anchor) {
  const word = `${anchor.kind === 'var' ? 'var' : 'function'} ${anchor.name}`;
  const hits = [];
  for (let i = text.indexOf(word); i !== -1; i = text.indexOf(word, i + 1)) {
    let before = i - 1;
    while (before >= 0 && /[ \t\r]/.test(text[before])) before--;
    const starts = before < 0 || ';}\n'.includes(text[before]) || (text[before] === '/' && text[before - 1] === '*');
    if (!starts) continue;
    let after = i + word.length;
    while (/\s/.test(text[after] || '')) after++;
    if (anchor.kind === 'var' && text[after] === '=' && text[after + 1] !== '=') {
      let valueStart = after + 1;
      while (/\s/.test(text[valueStart] || '')) valueStart++;
      hits.push({ keyword: i, valueStart });
    } else if (anchor.kind === 'function' && text[after] === '(') {
      hits.push({ keyword: i });
    }
  }
  return hits;
}

function parseAt(text, offset, name) {
  let node;
  try {
    node = acorn.parseExpressionAt(text, offset, ECMA);
  } catch (e) {
    throw new Unpatchable(`could not parse the definition of ${name} at offset ${offset}: ${e.message}`);
  }
  if (!/Function/.test(node.type)) throw new Unpatchable(`${name} is not defined as a function here (${node.type})`);
  return node;
}

function paramNames(fn) {
  return fn.params.map((p) => (p.type === 'AssignmentPattern' ? p.left.name : p.name));
}


// The struct dso fields emscripten writes in loadWebAssemblyModule, read from its own stores, in
// every form the supported toolchains emit:
//   HEAP8[handle + 8] = 1; HEAPU32[handle + 12 >> 2] = memoryBase;              (plain, -O0 adds parens)
//   GROWABLE_HEAP_I8()[handle + 8] = 1;                                          (3.1.x, -pthread + memory growth)
//   (growMemViews(), HEAP8)[handle + 8] = 1;                                     (4.x+, -pthread + memory growth)
//   HEAPU64[(handle + 16) / 8] = BigInt(memoryBase);                             (MEMORY64)
// Returns { size, mem_allocated, mem_addr, … (offsets), views: { i8, i32, ptr }, access, memory64 }:
// the heap views and the growth form the runtime's own accesses must use, as emscripten's do here.
const DSO_FIELDS = ['mem_allocated', 'mem_addr', 'mem_size', 'table_addr', 'table_size'];
export function dsoLayout(fn) {
  const found = {};
  walk.simple(fn, {
    AssignmentExpression(node) {
      const store = dsoStore(node);
      if (store) found[store.field] = store;
    },
  });
  const missing = DSO_FIELDS.filter((f) => found[f] === undefined);
  if (missing.length) {
    throw new Unpatchable(`could not read the dso layout from ${MODULE_LOADER} (no store to ${missing.join(', ')})`);
  }
  const accesses = new Set(DSO_FIELDS.map((f) => found[f].access));
  if (accesses.size !== 1) throw new Unpatchable(`${MODULE_LOADER} writes the dso fields in mixed heap forms (${[...accesses].join(', ')})`);
  const memory64 = found.mem_addr.view.endsWith('64');
  const layout = {
    // The scratch handle only needs to hold what loadWebAssemblyModule writes.
    size: Math.max(...DSO_FIELDS.map((f) => found[f].offset)) + 8,
    ...Object.fromEntries(DSO_FIELDS.map((f) => [f, found[f].offset])),
  };
  return { layout, views: { i8: found.mem_allocated.view, i32: found.mem_size.view, ptr: found.mem_addr.view }, access: [...accesses][0], memory64 };
}

// One `VIEW[handle + OFFSET …] = VALUE` store of loadWebAssemblyModule as { field, offset, view,
// access }, or null when it is not one of the dso stores.
function dsoStore(node) {
  const target = node.left;
  if (target.type !== 'MemberExpression' || !target.computed) return null;
  const heap = heapView(target.object);
  if (!heap) return null;
  const offset = handleOffset(target.property);
  if (offset === null) return null;
  const field = dsoField(unwrapBigInt(node.right), heap.view);
  return field && { field, offset, ...heap };
}

function heapView(node) {
  if (node.type === 'Identifier' && /^HEAPU?(8|32|64)$/.test(node.name)) return { view: node.name, access: 'plain' };
  const g = node.type === 'CallExpression' && node.arguments.length === 0 && node.callee.name?.match(/^GROWABLE_HEAP_(U?)(?:I?)(8|32|64)$/);
  if (g) return { view: `HEAP${g[1]}${g[2]}`, access: 'growable' };
  if (node.type === 'SequenceExpression' && node.expressions.length === 2 &&
      node.expressions[0].type === 'CallExpression' && node.expressions[0].callee.name === 'growMemViews') {
    const inner = heapView(node.expressions[1]);
    return inner && inner.access === 'plain' ? { view: inner.view, access: 'growMemViews' } : null;
  }
  return null;
}

// handle + N, (handle + N) >> k, >>> k or / 2^k: N. Builds that can address past 2 GiB
// (-sMAXIMUM_MEMORY=4GB) also add `>>> 0` to every index: handle + 12 >>> 2 >>> 0.
function handleOffset(index) {
  let e = index;
  const shift = (x) => x.type === 'BinaryExpression' && ['>>', '>>>', '/'].includes(x.operator) && x.right.type === 'Literal';
  if (shift(e) && e.operator === '>>>' && e.right.value === 0) e = e.left;
  if (shift(e)) e = e.left;
  if (e.type !== 'BinaryExpression' || e.operator !== '+' || e.left.name !== 'handle' || e.right.type !== 'Literal') return null;
  return e.right.value;
}

function unwrapBigInt(v) {
  return v.type === 'CallExpression' && v.callee.name === 'BigInt' && v.arguments.length === 1 ? v.arguments[0] : v;
}

function dsoField(v, view) {
  if (v.type === 'Literal' && v.value === 1 && /^HEAPU?8$/.test(view)) return 'mem_allocated';
  if (v.type === 'Identifier' && v.name === 'memoryBase') return 'mem_addr';
  if (v.type === 'Identifier' && v.name === 'tableBase') return 'table_addr';
  if (v.type === 'MemberExpression' && v.property.name === 'memorySize') return 'mem_size';
  if (v.type === 'MemberExpression' && v.property.name === 'tableSize') return 'table_size';
  return null;
}

// What kind of build this is, judged from names emscripten emits. Closure (--closure 1) renames
// every variable but keeps string literals: the wasm section and import names it must match
// ('dylink.0', 'GOT.mem', '__indirect_function_table') and the worker name ('em-pthread').
export function describeBuild(text) {
  const names = /\bwasmTable\b/.test(text);
  const strings = /["'](dylink\.0|GOT\.mem|__indirect_function_table|em-pthread)["']/.test(text);
  return {
    closure: !names && strings,
    emscripten: /\bENVIRONMENT_IS_NODE\b|\bwasmExports\b|\bModule\[['"]asm['"]\]/.test(text) || names,
    pthreads: /\bENVIRONMENT_IS_PTHREAD\b/.test(text) && /\bPThread\b/.test(text),
    mainModule: text.includes(MODULE_LOADER),
    dlsync: text.includes(DLSYNC_MARK) || text.includes('_emscripten_dlsync_self'),
  };
}

export const CLOSURE_REASON = 'this is closure-compiled output (--closure 1): the emscripten functions the runtime wraps ' +
  'have minified names, so they cannot be found; link with --js-library=library_pthread_dylink.js instead, which works with --closure 1';

// All anchors, or a refusal that says what is missing and what kind of file this looked like.
export function findAnchors(text) {
  const build = describeBuild(text);
  if (build.closure) throw new Unpatchable(CLOSURE_REASON);
  if (!build.emscripten) throw new Unpatchable('this does not look like JS generated by emscripten');
  if (!build.pthreads) throw new Unpatchable('this build has no pthreads (-pthread): there is only one function table, so the plugin is not needed');
  if (!build.mainModule) throw new Unpatchable('this build is not a MAIN_MODULE (no dynamic linking), so the plugin is not needed');
  if (!build.dlsync) {
    throw new Unpatchable(`this looks like emscripten older than ${MIN_VERSION} (no dlopen syncing between threads): ` +
      'runtime-loaded modules never reach workers there, so there is no layout to reproduce');
  }
  const located = {};
  const missing = [];
  const absent = [];
  for (const anchor of ANCHORS) {
    const at = locate(text, anchor);
    if (at.found === 0 && anchor.optional) {
      absent.push(anchor.name);
      continue;
    }
    if (at.found !== 1) {
      missing.push(`${[anchor.kind].flat().map((k) => (k === 'var' ? 'var ' : 'function ')).join('or ')}${anchor.name}${at.found ? ` (defined ${at.found} times)` : ''}`);
      continue;
    }
    const got = paramNames(at.fn);
    if (got.join(',') !== anchor.params.join(',')) {
      throw new Unpatchable(`${anchor.name} takes (${got.join(', ')}), expected (${anchor.params.join(', ')}): an emscripten this tool does not know`);
    }
    located[anchor.name] = at;
  }
  if (missing.length) {
    throw new Unpatchable(`anchor not found: ${missing.join('; ')}`);
  }
  return {
    build,
    wraps: Object.keys(located),
    absent,
    ...dsoLayout(located[MODULE_LOADER].fn),
    insertAt: Math.max(...Object.values(located).map((a) => a.statementEnd)),
  };
}
