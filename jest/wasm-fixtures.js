'use strict';
// Real wasm functions for tables in unit tests, without emcc: hand-assembled modules whose
// functions have type () -> i32 and each return a given value.

function leb128(value) {
  const out = [];
  let v = value;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && !(byte & 0x40)) || (v === -1 && (byte & 0x40));
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

function section(id, contents) {
  return [id, ...leb128(contents.length), ...contents];
}

// One module instance with one function per value, exported as f0, f1, ...: function i returns
// values[i], and its .name is "i" (its index in the module), as for emscripten's own modules.
function wasmFunctions(values) {
  const n = values.length;
  const exports = values.flatMap((_, i) => {
    const name = [...Buffer.from(`f${i}`)];
    return [name.length, ...name, 0x00, ...leb128(i)];
  });
  const bodies = values.flatMap((value) => {
    const body = [0x00, 0x41, ...leb128(value), 0x0b];
    return [body.length, ...body];
  });
  const bytes = new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(0x01, [0x01, 0x60, 0x00, 0x01, 0x7f]), // type 0: () -> i32
    ...section(0x03, [...leb128(n), ...values.map(() => 0x00)]),
    ...section(0x07, [...leb128(n), ...exports]),
    ...section(0x0a, [...leb128(n), ...bodies]),
  ]);
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes));
  return values.map((_, i) => instance.exports[`f${i}`]);
}

function wasmFunction(value) {
  return wasmFunctions([value])[0];
}

// A JS function as a wasm function of type () -> i32 (what emscripten's convertJsFunctionToWasm
// makes): re-exported from a module that imports it, so a table can hold it.
function jsAsWasm(fn) {
  const name = (text) => [text.length, ...Buffer.from(text)];
  const bytes = new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(0x01, [0x01, 0x60, 0x00, 0x01, 0x7f]),
    ...section(0x02, [0x01, ...name('m'), ...name('f'), 0x00, 0x00]),
    ...section(0x07, [0x01, ...name('f'), 0x00, 0x00]),
  ]);
  return new WebAssembly.Instance(new WebAssembly.Module(bytes), { m: { f: fn } }).exports.f;
}

// CPython's call trampoline, reduced: a module importing the program's table (env.t) whose export
// `call(fp)` calls table[fp] (type () -> i32) with call_indirect. importFn: also imports env.f
// (() -> i32), called by export `viaImport`. padding: a custom section of that many bytes.
// table64: the import is a table64 (MEMORY64 builds), indexed with the i32 widened.
function trampolineBytes({ importFn = false, padding = 0, table64 = false } = {}) {
  const name = (text) => [text.length, ...Buffer.from(text)];
  const imports = [[...name('env'), ...name('t'), 0x01, 0x70, table64 ? 0x04 : 0x00, 0x00]];
  if (importFn) imports.push([...name('env'), ...name('f'), 0x00, 0x00]);
  const first = importFn ? 1 : 0;
  const bodies = [[0x00, 0x20, 0x00, ...(table64 ? [0xad] : []), 0x11, 0x00, 0x00, 0x0b]];
  if (importFn) bodies.push([0x00, 0x10, 0x00, 0x0b]);
  const exports = [[...name('call'), 0x00, first]];
  if (importFn) exports.push([...name('viaImport'), 0x00, first + 1]);
  const custom = padding ? section(0x00, [...name('pad'), ...new Array(padding).fill(0)]) : [];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(0x01, [0x02, 0x60, 0x00, 0x01, 0x7f, 0x60, 0x01, 0x7f, 0x01, 0x7f]),
    ...section(0x02, [imports.length, ...imports.flat()]),
    ...section(0x03, [bodies.length, 0x01, ...(importFn ? [0x00] : [])]),
    ...section(0x07, [exports.length, ...exports.flat()]),
    ...section(0x0a, [bodies.length, ...bodies.flatMap((b) => [...leb128(b.length), ...b])]),
    ...custom,
  ]);
}

function table(length) {
  return new WebAssembly.Table({ element: 'anyfunc', initial: length });
}

module.exports = { wasmFunction, wasmFunctions, jsAsWasm, trampolineBytes, table };
