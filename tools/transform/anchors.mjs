// Find, in emscripten's generated JS, the definitions the runtime wraps, and check each with
// acorn. Only the statements we rely on are parsed (a full parse of a 5 MB file costs ~0.4 s).
import * as acorn from 'acorn';
import * as walk from 'acorn-walk';

export class Unpatchable extends Error {}

// name → what the definition must look like. `params` is checked on the parsed function.
// Optional ones may be absent: with -sMAIN_MODULE=2 a program that never calls dlsym() has no
// dlsym glue, and then there is nothing of it to wrap.
export const ANCHORS = [
  { name: 'loadWebAssemblyModule', kind: 'var', params: ['binary', 'flags', 'libName', 'localScope', 'handle'] },
  { name: 'loadDynamicLibrary', kind: 'function', params: ['libName', 'flags', 'localScope', 'handle'] },
  { name: 'getEmptyTableSlot', kind: 'var', params: [] },
  { name: '__dlsym_js', kind: 'var', params: ['handle', 'symbol', 'symbolIndex'], optional: true },
  { name: '__dlsym_catchup_js', kind: 'var', params: ['handle', 'symbolIndex'], optional: true },
  { name: 'addFunction', kind: 'var', params: ['func', 'sig'], optional: true },
  { name: 'removeFunction', kind: 'var', params: ['index'], optional: true },
  { name: 'invokeEntryPoint', kind: 'var', params: ['ptr', 'arg'], optional: true },
];

const ECMA = { ecmaVersion: 'latest', sourceType: 'script', allowReturnOutsideFunction: true };

// Where `var NAME = <function>` or `function NAME(` is defined. Several matches (a name reused
// in a nested scope) or none: refuse rather than guess.
function locate(text, anchor) {
  const re = anchor.kind === 'var'
    ? new RegExp(`(?:^|[;}\\n])\\s*var ${escape(anchor.name)}\\s*=\\s*`, 'g')
    : new RegExp(`(?:^|[;}\\n])\\s*function ${escape(anchor.name)}\\s*\\(`, 'g');
  const hits = [...text.matchAll(re)];
  if (hits.length !== 1) return { found: hits.length };
  const m = hits[0];
  if (anchor.kind === 'var') {
    const exprStart = m.index + m[0].length;
    const fn = parseAt(text, exprStart, anchor.name);
    let end = fn.end;
    while (/\s/.test(text[end])) end++;
    if (text[end] !== ';') throw new Unpatchable(`the definition of ${anchor.name} does not end its statement (found ${JSON.stringify(text.slice(end, end + 10))})`);
    return { found: 1, fn, statementEnd: end + 1 };
  }
  const fnStart = text.indexOf('function', m.index);
  const fn = parseAt(text, fnStart, anchor.name);
  return { found: 1, fn, statementEnd: fn.end };
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

function escape(s) {
  return s.replace(/[$]/g, '\\$');
}

// The offsets of the struct dso fields emscripten writes in loadWebAssemblyModule, read from its
// own stores: HEAP8[handle + 8] = 1; HEAPU32[(handle + 12) >> 2] = memoryBase; ...
export function dsoLayout(fn) {
  const found = {};
  walk.simple(fn, {
    AssignmentExpression(node) {
      const target = node.left;
      if (target.type !== 'MemberExpression' || !target.computed || !/^HEAPU?(8|32)$/.test(target.object.name || '')) return;
      let index = target.property;
      if (index.type === 'BinaryExpression' && index.operator === '>>') index = index.left;
      if (index.type !== 'BinaryExpression' || index.operator !== '+' || index.left.name !== 'handle' || index.right.type !== 'Literal') return;
      const offset = index.right.value;
      const v = node.right;
      const field = v.type === 'Literal' && v.value === 1 && target.object.name === 'HEAP8' ? 'mem_allocated'
        : v.type === 'Identifier' && v.name === 'memoryBase' ? 'mem_addr'
          : v.type === 'Identifier' && v.name === 'tableBase' ? 'table_addr'
            : v.type === 'MemberExpression' && v.property.name === 'memorySize' ? 'mem_size'
              : v.type === 'MemberExpression' && v.property.name === 'tableSize' ? 'table_size' : null;
      if (field) found[field] = offset;
    },
  });
  const fields = ['mem_allocated', 'mem_addr', 'mem_size', 'table_addr', 'table_size'];
  const missing = fields.filter((f) => found[f] === undefined);
  if (missing.length) {
    throw new Unpatchable(`could not read the dso layout from loadWebAssemblyModule (no store to ${missing.join(', ')})`);
  }
  // The scratch handle only needs to hold what loadWebAssemblyModule writes.
  return { size: Math.max(...fields.map((f) => found[f])) + 8, ...Object.fromEntries(fields.map((f) => [f, found[f]])) };
}

// What kind of build this is, judged from names emscripten emits.
export function describeBuild(text) {
  return {
    closure: !/\bvar wasmTable\b|\bwasmTable\s*=/.test(text) && /\bWebAssembly\b/.test(text),
    emscripten: /\bENVIRONMENT_IS_NODE\b|\bwasmExports\b|\bModule\[['"]asm['"]\]/.test(text) || /\bwasmTable\b/.test(text),
    pthreads: /\bENVIRONMENT_IS_PTHREAD\b/.test(text) && /\bPThread\b/.test(text),
    mainModule: /\bloadWebAssemblyModule\b/.test(text),
    dlsync: /\b__dlsym_catchup_js\b/.test(text) || /_emscripten_dlsync_self/.test(text),
  };
}

// All anchors, or a refusal that says what is missing and what kind of file this looked like.
export function findAnchors(text) {
  const build = describeBuild(text);
  if (!build.emscripten) throw new Unpatchable('this does not look like JS generated by emscripten');
  if (!build.pthreads) throw new Unpatchable('this build has no pthreads (-pthread): there is only one function table, so the plugin is not needed');
  if (!build.mainModule) throw new Unpatchable('this build is not a MAIN_MODULE (no dynamic linking), so the plugin is not needed');
  if (!build.dlsync) {
    throw new Unpatchable('this looks like emscripten older than 3.1.27 (no dlopen syncing between threads): ' +
      'runtime-loaded modules never reach workers there, so there is no layout to reproduce');
  }
  const located = {};
  const missing = [];
  for (const anchor of ANCHORS) {
    const at = locate(text, anchor);
    if (at.found === 0 && anchor.optional) continue;
    if (at.found !== 1) {
      missing.push(`${anchor.kind === 'var' ? 'var ' : 'function '}${anchor.name}${at.found ? ` (defined ${at.found} times)` : ''}`);
      continue;
    }
    const got = paramNames(at.fn);
    if (got.join(',') !== anchor.params.join(',')) {
      throw new Unpatchable(`${anchor.name} takes (${got.join(', ')}), expected (${anchor.params.join(', ')}): an emscripten this tool does not know`);
    }
    located[anchor.name] = at;
  }
  if (missing.length) {
    throw new Unpatchable(`anchor not found: ${missing.join('; ')}` +
      (build.closure ? ' (the names look minified: closure-compiled output cannot be patched; link with --js-library instead)' : ''));
  }
  return {
    build,
    wraps: Object.keys(located),
    dso: dsoLayout(located.loadWebAssemblyModule.fn),
    insertAt: Math.max(...Object.values(located).map((a) => a.statementEnd)),
  };
}
