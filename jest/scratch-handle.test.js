'use strict';
// The scratch dso handle a JS load without a handle gets (issue 17, item 7), without emcc: a
// synchronous load takes it from the stack, needs no malloc, and gives it back however it ends.
const { install } = require('../src/runtime.js');
const { SharedState } = require('../src/shared-state.js');
const { CARRIER_KEY } = require('../src/versions.js');
const { table } = require('./wasm-fixtures');

const DSO = { size: 32, mem_allocated: 8, mem_addr: 12, mem_size: 16, table_addr: 20, table_size: 24 };

function mainThread({ malloc = false } = {}) {
  const heap = new DataView(new ArrayBuffer(1024));
  const calls = [];
  let sp = 1024;
  const t = table(4);
  const carrier = { [CARRIER_KEY]: SharedState.create(1 << 16).buffer };
  const em = {
    isWorker: false, version: '6.0.5', carrier: () => carrier,
    table: () => t, setTableEntry: (i, v) => t.set(i, v), runtimeInitialized: () => true, dso: DSO,
    mem: {
      getI8: (p) => heap.getInt8(p), setI8: (p, v) => heap.setInt8(p, v),
      getI32: (p) => heap.getInt32(p, true), setI32: (p, v) => heap.setInt32(p, v, true),
      getPtr: (p) => heap.getUint32(p, true), setPtr: (p, v) => heap.setUint32(p, v, true),
    },
    hasStack: () => true, stackSave: () => sp, stackAlloc: (n) => { sp -= n; calls.push(`alloc ${n}`); return sp; },
    stackRestore: (p) => { sp = p; calls.push('restore'); },
    hasMalloc: () => malloc, malloc: () => { calls.push('malloc'); return 64; }, free: () => calls.push('free'),
    loadedLibsByName: () => ({}), freeTableIndexes: () => [], warn: (m) => calls.push(m),
  };
  return { em, calls, heap, sp: () => sp };
}

test('a synchronous load records its layout from a stack scratch handle, with no malloc', () => {
  const { em, calls, sp } = mainThread();
  const wrapped = install(em, {
    loadWebAssemblyModule: (binary, flags, name, scope, handle) => {
      em.mem.setI8(handle + DSO.mem_allocated, 1);
      em.mem.setPtr(handle + DSO.mem_addr, 4096);
      return { exports: true };
    },
  });
  expect(wrapped.loadWebAssemblyModule(null, {}, 'a.so', {}, 0)).toEqual({ exports: true });
  expect(calls).toEqual(['alloc 32', 'restore']);
  expect(sp()).toBe(1024);
});

test('a synchronous load that throws gives the stack back', () => {
  const { em, calls, sp } = mainThread();
  const wrapped = install(em, { loadWebAssemblyModule: () => { throw new Error('bad module'); } });
  expect(() => wrapped.loadWebAssemblyModule(null, {}, 'b.so', {}, 0)).toThrow('bad module');
  expect(calls).toEqual(['alloc 32', 'restore']);
  expect(sp()).toBe(1024);
});

test('an async load needs malloc, and says so when the build has none', async () => {
  const { em, calls } = mainThread();
  const wrapped = install(em, { loadWebAssemblyModule: () => Promise.resolve({}) });
  await wrapped.loadWebAssemblyModule(null, { loadAsync: true }, 'c.so', {}, 0);
  expect(calls).toEqual([expect.stringMatching(/cannot record where c\.so's data went \(an async load, and this build exports no malloc\)/)]);
});
