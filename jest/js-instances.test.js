'use strict';
// Issue 18: wasm functions of instances created in JS (CPython's call trampoline) work in every
// thread: a worker makes its own copy from the same bytes, with its own table and module exports.
// On plain WebAssembly objects, through the runtime as installed (jest/table-sync-implementations.js).
const { IMPLEMENTATIONS, stockWorld } = require('./table-sync-implementations');
const { fromBase64, toBase64, MAX_MODULE_BYTES } = require('../src/js-instances.js');
const { trampolineBytes, wasmFunctions } = require('./wasm-fixtures');

const sideModule = (values) => () => {
  const fns = wasmFunctions(values);
  return { got: fns, exports: Object.fromEntries(fns.map((f, i) => [`fn${i}`, f])) };
};
const A = sideModule([11, 12]);

// The trampoline as CPython makes it: compiled from bytes in JS on the main thread, importing the
// program's table, its export added with addFunction; the slot number is what C keeps.
function mainWithTrampoline(world, { imports = {}, bytes = trampolineBytes(), make = 'sync' } = {}) {
  const main = world.thread('main');
  const a = main.load('a.so', A());
  const importObject = { env: { t: main.table, ...imports(main, a) } };
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), importObject);
  return { main, a, instance, slot: main.addFunction(instance.exports.call, 'ii') };
}
const noImports = () => ({});

test('the control: on stock emscripten a worker has nothing in the trampoline\'s slot', () => {
  const { main, a, slot } = mainWithTrampoline(stockWorld(), { imports: noImports });
  const worker = stockWorld().thread('worker');
  expect(main.table.get(slot)(a.slots[0])).toBe(11);
  expect(slot < worker.table.length ? worker.table.get(slot) : null).toBeNull();
});

// The plugin's runtime only: the upstream patch does not carry this yet (upstream/PROPOSAL.md).
describe('the plugin', () => {
  const world = () => IMPLEMENTATIONS.ours();

  test('a worker calls its own copy of the trampoline, through its own table', () => {
    const w = world();
    const { main, a, slot } = mainWithTrampoline(w, { imports: noImports });
    const worker = w.thread('worker', { worker: true });
    worker.load('a.so', A());
    worker.startPthread();
    const copy = worker.table.get(slot);
    expect(copy).not.toBe(main.table.get(slot));
    expect(copy(a.slots[1])).toBe(12);
    // Its table is the worker's: a slot only the worker fills is what it calls.
    const only = worker.table.grow(1);
    worker.table.set(only, wasmFunctions([99])[0]);
    expect(copy(only)).toBe(99);
  });

  test('an instance made with WebAssembly.instantiate from bytes travels too', async () => {
    const w = world();
    const main = w.thread('main');
    const a = main.load('a.so', A());
    const { instance } = await WebAssembly.instantiate(trampolineBytes(), { env: { t: main.table } });
    const slot = main.addFunction(instance.exports.call, 'ii');
    const worker = w.thread('worker', { worker: true });
    worker.load('a.so', A());
    worker.startPthread();
    expect(worker.table.get(slot)(a.slots[0])).toBe(11);
  });

  test('an import that is a loaded module\'s export becomes the worker\'s own copy of that export', () => {
    const w = world();
    const main = w.thread('main');
    const mainA = A();
    main.load('a.so', mainA);
    const instance = new WebAssembly.Instance(new WebAssembly.Module(trampolineBytes({ importFn: true })),
      { env: { t: main.table, f: mainA.exports.fn1 } });
    const slot = main.addFunction(instance.exports.viaImport, 'i');
    expect(main.table.get(slot)()).toBe(12);
    const worker = w.thread('worker', { worker: true });
    // The worker's a.so returns another value from fn1: what the copy calls is found by name there.
    worker.load('a.so', sideModule([11, 77])());
    worker.startPthread();
    expect(worker.table.get(slot)()).toBe(77);
  });

  test('an import that is a JS function blocks the copy, and the stub names it', () => {
    const w = world();
    const { slot } = mainWithTrampoline(w, { imports: () => ({ f: () => 5 }), bytes: trampolineBytes({ importFn: true }) });
    const worker = w.thread('worker', { worker: true });
    worker.load('a.so', A());
    worker.startPthread();
    expect(() => worker.table.get(slot)(0)).toThrow(new RegExp(`table slot ${slot} holds export call of a JS-made wasm instance that worker thread #\\d+ cannot copy: its import env\\.f is a JS function.*the instance is the main thread's, added with addFunction`));
  });

  // CPython's main branch: a preRun hook overwrites a placeholder slot (one every thread has from
  // start-up) with the trampoline; workers never run preRun hooks.
  test('a main-thread wasmTable.set over a slot every thread has reaches a worker at its next pthread start', () => {
    const w = world();
    const main = w.thread('main');
    const a = main.load('a.so', A());
    const worker = w.thread('worker', { worker: true });
    worker.load('a.so', A());
    const placeholder = a.slots[0];
    const instance = new WebAssembly.Instance(new WebAssembly.Module(trampolineBytes()), { env: { t: main.table } });
    main.table.set(placeholder, instance.exports.call);
    worker.startPthread();
    expect(worker.table.get(placeholder)(a.slots[1])).toBe(12);
    main.table.set(placeholder, null);
    worker.startPthread();
    expect(worker.table.get(placeholder)).toBeNull();
  });

  test(`a module over ${MAX_MODULE_BYTES} bytes is not kept: the stub says why`, () => {
    const w = world();
    const { slot } = mainWithTrampoline(w, { imports: noImports, bytes: trampolineBytes({ padding: MAX_MODULE_BYTES }) });
    const worker = w.thread('worker', { worker: true });
    worker.load('a.so', A());
    worker.startPthread();
    expect(() => worker.table.get(slot)(0)).toThrow(/no loaded module exports it.*its module is over 64 KiB/);
  });
});

test('module bytes survive the shared log\'s text form', () => {
  const bytes = trampolineBytes({ padding: 40000 });
  expect(fromBase64(toBase64(bytes))).toEqual(bytes);
});
