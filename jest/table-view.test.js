'use strict';
// The runtime's view of emscripten's table: Number indices over a table64 (MEMORY64), and every
// write through emscripten's setWasmTableEntry (its wasmTableMirror cache), without emcc.
const { tableView } = require('../src/table-view.js');
const { install } = require('../src/runtime.js');
const { SharedState } = require('../src/shared-state.js');
const { CARRIER_KEY } = require('../src/versions.js');
const { wasmFunction, table } = require('./wasm-fixtures');

// What node 24 shows of a table64 (address: 'i64'): BigInt length, grow() result and indices;
// a Number index throws "Cannot convert 1 to a BigInt". The host's node may not run table64.
function fakeTable64(length) {
  const slots = new Array(length).fill(null);
  const index = (i) => {
    if (typeof i !== 'bigint') throw new TypeError(`Cannot convert ${i} to a BigInt`);
    return Number(i);
  };
  return {
    get length() { return BigInt(slots.length); },
    grow(n) { const old = slots.length; for (let k = 0; k < index(n); k++) slots.push(null); return BigInt(old); },
    get(i) { return slots[index(i)]; },
    set(i, v) { slots[index(i)] = v; },
  };
}

test.each([['a table64', () => fakeTable64(3)], ['a 32-bit table', () => table(3)]])('%s reads as Number indices', (_, make) => {
  const t = make();
  const writes = [];
  const view = tableView({ table: () => t, setTableEntry: (i, v) => { writes.push(i); t.set(typeof t.length === 'bigint' ? BigInt(i) : i, v); } });
  expect(view.length).toBe(3);
  expect(view.grow(2)).toBe(3);
  expect(view.length).toBe(5);
  const f = wasmFunction(5);
  view.set(4, f);
  expect(writes).toEqual([4]);
  expect(view.get(4)).toBe(f);
});

// reaches() reads a table's length only past the length it last read (tables never shrink), and
// reads it again from a table emscripten re-pointed wasmTable at (4.0.19+).
test('reaches() asks the table its length only past what it last read, and asks a new table afresh', () => {
  const counted = (length) => {
    const t = { reads: 0, slots: length };
    Object.defineProperty(t, 'length', { get() { t.reads++; return t.slots; } });
    return t;
  };
  let current = counted(4);
  const view = tableView({ table: () => current });
  expect([view.reaches(3), view.reaches(0), view.reaches(3)]).toEqual([true, true, true]);
  expect(current.reads).toBe(1);
  expect(view.reaches(4)).toBe(false);
  current.slots = 6; // grown by emscripten
  expect(view.reaches(5)).toBe(true);
  expect(view.reaches(6)).toBe(false);
  expect(current.reads).toBe(4);
  const old = current;
  current = counted(2);
  expect(view.reaches(3)).toBe(false);
  expect(current.reads).toBe(1);
  expect(old.reads).toBe(4);
});

// Issue 17 (3): a worker's gap-slot fill went straight to wasmTable.set, so getWasmTableEntry
// (dynCall, invoke_*, pthread start routines) kept running what it had cached for the slot.
test('a worker fills gap slots through setTableEntry, so emscripten\'s cache sees the new function', () => {
  const state = SharedState.create(1 << 16);
  const carrier = { [CARRIER_KEY]: state.buffer };
  const t = table(8);
  const mirror = [];
  const em = {
    isWorker: true, version: '6.0.5', carrier: () => carrier, table: () => t, runtimeInitialized: () => true,
    setTableEntry: (i, v) => { t.set(i, v); mirror[i] = v; },
    dso: {}, loadedLibsByName: () => ({ 'a.so': { exports: { g: exported } } }), freeTableIndexes: () => [], dlsyncSelf: () => {},
    convertJsFunctionToWasm: () => null, warn: () => {},
  };
  const exported = wasmFunction(9);
  mirror[6] = 'stale stub';
  new SharedState(state.buffer).append({ key: 'slot:6', note: 'wasm', slot: 6, module: 'a.so', symbol: 'g', thread: 'the main thread', threadId: 99 });
  const started = [];
  install(em, { invokeEntryPoint: (ptr) => started.push(mirror[ptr]) }).invokeEntryPoint(6, 0);
  expect(started).toEqual([exported]);
});
