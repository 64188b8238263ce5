'use strict';
// The algorithm's contract, run against both implementations of it: src/ (the plugin) and the
// upstream patch's TableSync (jest/table-sync-implementations.js says how each is driven). A fix
// made in one and not the other fails here. Each test names the hole it guards.
const { IMPLEMENTATIONS, stockWorld } = require('./table-sync-implementations');
const { wasmFunctions } = require('./wasm-fixtures');

// A side module as each thread instantiates it: its own function objects, the same code.
const sideModule = (values) => () => {
  const fns = wasmFunctions(values);
  return { got: fns.slice(0, 2), exports: Object.fromEntries(fns.map((f, i) => [`fn${i}`, f])) };
};
const A = sideModule([11, 12, 13]);
const B = sideModule([21, 22, 23]);
const values = (th, slots) => slots.map((s) => (s < th.table.length ? th.table.get(s)?.() ?? null : 'out of bounds'));

// The reproduction of the bug: main loads A, adds a JS callback, loads B; a worker loads both.
function loadsAroundACallback(world) {
  const main = world.thread('main');
  const first = main.load('a.so', A());
  main.addFunction(() => 7);
  const second = main.load('b.so', B());
  const worker = world.thread('worker', { worker: true });
  return { main, worker, mainSlots: [...first.slots, ...second.slots], workerSlots: [...worker.load('a.so', A()).slots, ...worker.load('b.so', B()).slots] };
}

test('the control: stock emscripten puts module B at other slots in the worker', () => {
  const { main, worker, mainSlots } = loadsAroundACallback(stockWorld());
  expect(values(worker, mainSlots)).not.toEqual(values(main, mainSlots));
});

describe.each(Object.keys(IMPLEMENTATIONS))('%s', (impl) => {
  const world = () => IMPLEMENTATIONS[impl]();
  // Both threads have a.so loaded: main's instance of it, and a worker that replayed the load.
  const bothLoadA = () => {
    const w = world();
    const main = w.thread('main');
    const mainA = A();
    main.load('a.so', mainA);
    const worker = w.thread('worker', { worker: true });
    worker.load('a.so', A());
    return { main, mainA, worker };
  };

  test('a module loaded after a main-thread callback takes the same slots in a worker', () => {
    const { main, worker, mainSlots, workerSlots } = loadsAroundACallback(world());
    expect(workerSlots).toEqual(mainSlots);
    expect(values(worker, mainSlots)).toEqual(values(main, mainSlots));
    expect(values(worker, mainSlots)).toEqual([11, 12, 21, 22]);
  });

  test('an export the main thread adds with addFunction is the worker\'s own copy once a pthread starts there', () => {
    const { main, mainA, worker } = bothLoadA();
    const slot = main.addFunction(mainA.exports.fn2);
    worker.startPthread();
    expect(worker.table.get(slot)()).toBe(13);
    expect(worker.table.get(slot)).not.toBe(mainA.exports.fn2);
  });

  test('a JS function the main thread adds is, in a worker, a stub that throws naming the slot', () => {
    const { main, worker } = bothLoadA();
    const slot = main.addFunction(() => 5);
    worker.startPthread();
    expect(() => worker.table.get(slot)()).toThrow(new RegExp(`table slot ${slot} holds a JS function`));
  });

  // Issue 17 (2): the worker kept running the export after the slot was freed and reused.
  test('a slot freed and reused for a JS function means the JS function in the worker too', () => {
    const { main, mainA, worker } = bothLoadA();
    const slot = main.addFunction(mainA.exports.fn2);
    worker.startPthread();
    main.removeFunction(slot);
    expect(main.addFunction(() => 5)).toBe(slot);
    worker.startPthread();
    expect(() => worker.table.get(slot)()).toThrow(/holds a JS function/);
  });

  // A worker's table must end exactly where a load it has yet to replay begins (6.x asserts it).
  test('a gap slot past a load the worker has yet to replay waits until it has', () => {
    const w = world();
    const main = w.thread('main');
    main.load('a.so', A());
    const slot = main.addFunction(() => 5);
    const second = main.load('b.so', { region: 2, ...B() });
    const worker = w.thread('worker', { worker: true });
    worker.startPthread();
    expect(worker.table.length).toBeLessThanOrEqual(slot);
    worker.load('a.so', A());
    const replayed = worker.load('b.so', { region: 2, ...B() });
    expect(replayed).toEqual(second);
    worker.startPthread();
    expect(() => worker.table.get(slot)()).toThrow(/holds a JS function/);
  });

  // Issue 17 (6): a lock left held after an error reads, in the next thread, as a load that
  // never finished.
  test('a load that throws leaves the table lock free for the next thread', () => {
    const w = world();
    const main = w.thread('main');
    expect(() => main.load('bad.so', { region: 1, fails: 'not a wasm module' })).toThrow(/bad\.so: not a wasm module/);
    const worker = w.thread('worker', { worker: true });
    const first = worker.load('a.so', { region: 1, ...A() });
    expect(values(worker, first.slots)).toEqual([11, 12]);
    const second = main.load('b.so', B());
    expect(second.slots.every((s) => !first.slots.includes(s))).toBe(true);
  });

  test('a replay onto a slot the worker already uses is refused, naming the module and the slot', () => {
    const w = world();
    const main = w.thread('main');
    const first = main.load('a.so', A());
    const worker = w.thread('worker', { worker: true });
    worker.table.grow(first.slots[0] + 1 - worker.table.length);
    worker.table.set(first.slots[0], wasmFunctions([99])[0]);
    expect(() => worker.load('a.so', A())).toThrow(new RegExp(`a\\.so .*slot ${first.slots[0]}`));
  });
});
