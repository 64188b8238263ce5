// Wasm functions of instances created in JS (issue 18). A program may compile a small module
// itself and put its export in the table (CPython's call trampoline: an instance importing
// `wasmTable`, its export added with addFunction on the main thread, the slot kept in shared
// memory). No loaded module exports such a function, so no other thread has a copy; but the
// module's bytes, the export's name and the instance's imports are enough to make one there: the
// same bytes, instantiated with that thread's own table, memory and module exports.
//
// Each thread watches WebAssembly.Module/Instance/compile/instantiate (from bytes; streaming
// compilation hides the bytes) and remembers small modules (emscripten's own, far larger, and
// every module loaded inside an op, are left alone). When such an export gets a gap slot, the
// note carries the instance's bytes and its imports as names this thread's peers can resolve.
import { exportOf, loadedExport } from './gap-slots.js';

// A module larger than this is not kept: it travels in the shared log (a trampoline is ~100 bytes).
export const MAX_MODULE_BYTES = 64 * 1024;

export class JsInstances {
  constructor() {
    this.moduleBytes = new WeakMap(); // WebAssembly.Module → its bytes (a copy)
    this.origins = new WeakMap(); // exported function → { instance: { module, imports, id }, name }
    this.nextId = 0;
  }

  rememberModule(module, source) {
    const bytes = bytesOf(source);
    if (bytes && bytes.byteLength <= MAX_MODULE_BYTES) this.moduleBytes.set(module, bytes.slice());
  }

  rememberInstance(instance, module, imports) {
    if (!this.moduleBytes.has(module)) return;
    const record = { module, imports, id: this.nextId++ };
    for (const [name, value] of Object.entries(instance.exports)) {
      if (typeof value === 'function') this.origins.set(value, { instance: record, name });
    }
  }

  // { instance, name } of a function exported by a remembered instance, or undefined.
  originOf(func) {
    return this.origins.get(func);
  }

  bytesOf(module) {
    return this.moduleBytes.get(module);
  }
}

function bytesOf(source) {
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  if (ArrayBuffer.isView(source)) return new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
  return null;
}

// How each import of the instance can be had in another thread: [{ module, name, kind, … }].
// kind: 'table' (the program's table), 'memory' (its memory), 'export' (of a loaded module:
// `from`, `symbol`), 'value' (a number), or 'none' (with `what`: it cannot be had elsewhere).
export function describeImports(instance, here) {
  return WebAssembly.Module.imports(instance.module).map(({ module, name }) => {
    const value = instance.imports?.[module]?.[name];
    return { module, name, ...describeValue(value, here) };
  });
}

function describeValue(value, { table, memory, libs }) {
  if (value === table) return { kind: 'table' };
  if (value !== undefined && value === memory) return { kind: 'memory' };
  if (typeof value === 'number') return { kind: 'value', value };
  if (typeof value === 'bigint') return { kind: 'value', value: String(value), bigint: true };
  if (typeof value === 'function') {
    const found = exportOf(value, libs);
    if (found) return { kind: 'export', from: found.module, symbol: found.symbol };
    return { kind: 'none', what: /^\d+$/.test(value.name) ? 'a wasm function no loaded module exports' : 'a JS function, which exists only on the thread that made the instance' };
  }
  if (value instanceof WebAssembly.Memory) return { kind: 'none', what: 'a memory that is not the program\'s' };
  if (value instanceof WebAssembly.Table) return { kind: 'none', what: 'a table that is not the program\'s' };
  if (value instanceof WebAssembly.Global) return { kind: 'none', what: 'a WebAssembly.Global object, whose value may change' };
  return { kind: 'none', what: value === undefined ? 'missing' : `a ${typeof value}` };
}

// The import object for the same instance in this thread, or { blocked } naming what is missing.
export function resolveImports(imports, { table, memory, libs }) {
  const object = {};
  for (const imp of imports) {
    let value;
    if (imp.kind === 'table') value = table;
    else if (imp.kind === 'memory') value = memory;
    else if (imp.kind === 'value') value = imp.bigint ? BigInt(imp.value) : imp.value;
    else if (imp.kind === 'export') {
      value = loadedExport(libs, imp.from, imp.symbol);
      if (!value) return { blocked: `its import ${imp.module}.${imp.name} is export ${imp.symbol} of ${imp.from}, which this thread has not loaded` };
    } else {
      return { blocked: `its import ${imp.module}.${imp.name} is ${imp.what}` };
    }
    (object[imp.module] ??= {})[imp.name] = value;
  }
  return { object };
}

// Bytes ↔ text for the shared log (JSON): base64, in chunks (String.fromCharCode takes arguments).
export function toBase64(bytes) {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

export function fromBase64(text) {
  const raw = atob(text);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}
