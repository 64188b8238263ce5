'use strict';
// The offset log and the worker plan, on plain WebAssembly.Table objects: each "thread" is a
// SlotOps with its own table and its own view of one SharedArrayBuffer, as in a real program.
const { SharedState } = require('../src/shared-state.js');
const { SlotOps, TableMismatch } = require('../src/slot-ops.js');
const { wasmFunction, table } = require('./wasm-fixtures');

function world(capacity) {
  const buffer = SharedState.create(capacity).buffer;
  const threads = [];
  function thread(name, initialLength = 10, { initialized = true, spinLimit } = {}) {
    const state = new SharedState(buffer);
    const t = table(initialLength);
    const flags = { initialized };
    const ops = new SlotOps({
      table: () => t, state, threadId: state.nextThreadId(), threadName: name,
      describe: (i) => `function ${t.get(i)?.() ?? 'none'}`, initialized: () => flags.initialized, spinLimit,
    });
    const th = { name, table: t, ops, flags, state };
    threads.push(th);
    return th;
  }
  return { buffer, thread, threads };
}

// A module load as emscripten does it: `region` slots of its own at the current end, then one
// GOT.func slot per address-taken function, each set to that function.
function load(th, key, { region = 0, funcs = [] } = {}) {
  return th.ops.run(key, key, () => {
    const base = th.table.length;
    if (region) th.table.grow(region);
    const slots = funcs.map((fn) => {
      const slot = th.ops.allocate();
      th.table.set(slot, fn);
      return slot;
    });
    return { base, slots };
  });
}

// A JS callback appended outside any op (addFunction on one thread only).
function gap(th, fn = wasmFunction(7)) {
  const slot = th.ops.allocate();
  th.table.set(slot, fn);
  return slot;
}

const f = (n) => wasmFunction(1000 + n);

test('a module replayed in another thread lands on the slots the first thread gave it', () => {
  const w = world();
  const main = w.thread('main');
  const worker = w.thread('worker');
  const a = f(1);
  const b = f(2);
  const first = load(main, 'load:side.so', { funcs: [a, b] });
  const again = load(worker, 'load:side.so', { funcs: [a, b] });
  expect(again.slots).toEqual(first.slots);
  for (const slot of first.slots) expect(worker.table.get(slot)()).toBe(main.table.get(slot)());
});

test('gaps opened on one thread push the next load past them, and replays grow to match', () => {
  const w = world();
  const main = w.thread('main');
  const worker = w.thread('worker');
  const gaps = [gap(main), gap(main), gap(main)];
  const first = load(main, 'load:side.so', { funcs: [f(1)] });
  expect(first.slots[0]).toBeGreaterThan(Math.max(...gaps));
  load(worker, 'load:side.so', { funcs: [f(1)] });
  expect(worker.table.get(first.slots[0])()).toBe(1001);
  // The worker's table grew past the gap slots, which stay empty there.
  for (const g of gaps) expect(worker.table.get(g)).toBeNull();
});

test('a module first loaded by a worker does not collide with gaps the main thread opened', () => {
  // S6: the loader thread's own table is short; main's JS callbacks already sit where it would
  // otherwise append.
  const w = world();
  const main = w.thread('main');
  const loader = w.thread('loader');
  const gaps = [gap(main), gap(main)];
  const first = load(loader, 'load:side.so', { funcs: [f(1)] });
  expect(gaps).not.toContain(first.slots[0]);
  load(main, 'load:side.so', { funcs: [f(1)] });
  expect(main.table.get(first.slots[0])()).toBe(1001);
  for (const g of gaps) expect(main.table.get(g)()).toBe(7);
});

test('a reused worker catches up on loads and gaps that happened between its pthreads', () => {
  const w = world();
  const main = w.thread('main');
  const worker = w.thread('worker');
  gap(main);
  const a = load(main, 'load:a.so', { funcs: [f(1)] });
  load(worker, 'load:a.so', { funcs: [f(1)] }); // first pthread on the worker
  gap(main);
  gap(main);
  const b = load(main, 'load:b.so', { region: 2, funcs: [f(2), f(3)] });
  gap(main);
  load(worker, 'load:b.so', { region: 2, funcs: [f(2), f(3)] }); // second pthread
  expect(worker.table.get(a.slots[0])()).toBe(1001);
  expect(b.slots.map((s) => worker.table.get(s)())).toEqual([1002, 1003]);
  expect(worker.table.length).toBeGreaterThanOrEqual(Math.max(...b.slots) + 1);
});

test('out-of-order replay: a module recorded earlier fills its empty range in a longer table', () => {
  // JS preloads x.so (main only), then the program loads y.so everywhere; a worker that replays
  // y.so first only meets x.so later (dlopen), below its current table end.
  const w = world();
  const main = w.thread('main');
  const worker = w.thread('worker');
  const x = load(main, 'load:x.so', { funcs: [f(1)] });
  const y = load(main, 'load:y.so', { funcs: [f(2)] });
  load(worker, 'load:y.so', { funcs: [f(2)] });
  expect(worker.table.length).toBeGreaterThan(x.slots[0]);
  load(worker, 'load:x.so', { funcs: [f(1)] });
  expect(worker.table.get(x.slots[0])()).toBe(1001);
  expect(worker.table.get(y.slots[0])()).toBe(1002);
});

test('a worker whose table already has something in the recorded range fails loudly', () => {
  const w = world();
  const main = w.thread('main');
  const worker = w.thread('worker');
  const x = load(main, 'load:x.so', { funcs: [f(1)] });
  worker.table.grow(x.slots[0] + 1 - worker.table.length);
  worker.table.set(x.slots[0], wasmFunction(99));
  expect(() => load(worker, 'load:x.so', { funcs: [f(1)] })).toThrow(TableMismatch);
  expect(() => load(worker, 'load:x.so', { funcs: [f(1)] }))
    .toThrow(new RegExp(`cannot place load:x.so in worker at the slots main gave it .*slot ${x.slots[0]} here already holds function 99`));
});

test('a replay that needs a different number of slots names both threads', () => {
  const w = world();
  const main = w.thread('main');
  const worker = w.thread('worker');
  load(main, 'load:x.so', { funcs: [f(1)] });
  expect(() => load(worker, 'load:x.so', { funcs: [f(1), f(2)] }))
    .toThrow(/load:x.so needs more table slots in worker than the 1 it took in main/);
  const w2 = world();
  load(w2.thread('main'), 'load:x.so', { funcs: [f(1), f(2)] });
  expect(() => load(w2.thread('worker'), 'load:x.so', { funcs: [f(1)] }))
    .toThrow(/load:x.so took 1 table slots in worker but 2 in main/);
});

test('slots taken while a thread starts up mirror every other thread and are not shared', () => {
  const w = world();
  const main = w.thread('main', 10, { initialized: false });
  const worker = w.thread('worker', 10, { initialized: false });
  const m = [main.ops.allocate(), main.ops.allocate()];
  const k = [worker.ops.allocate(), worker.ops.allocate()];
  expect(k).toEqual(m);
  main.flags.initialized = true;
  worker.flags.initialized = true;
  expect(main.ops.allocate()).not.toBe(worker.ops.allocate());
});

test('nested loads (a module and its dependency) are recorded and replayed as separate ops', () => {
  const w = world();
  const main = w.thread('main');
  const worker = w.thread('worker');
  const outer = (th) => th.ops.run('load:app.so', 'app.so', () => {
    const mine = th.ops.allocate();
    th.table.set(mine, f(1));
    const dep = load(th, 'load:dep.so', { funcs: [f(2)] });
    const after = th.ops.allocate();
    th.table.set(after, f(3));
    return [mine, dep.slots[0], after];
  });
  const m = outer(main);
  expect(outer(worker)).toEqual(m);
  expect(main.state.find('load:app.so').slots).toEqual([m[0], m[2]]);
  expect(main.state.find('load:dep.so').slots).toEqual([m[1]]);
});

test('an async load is recorded when it settles', async () => {
  const w = world();
  const main = w.thread('main');
  const worker = w.thread('worker');
  let slot;
  const p = main.ops.run('load:async.so', 'async.so', () => Promise.resolve().then(() => {
    slot = main.ops.allocate();
    main.table.set(slot, f(1));
  }));
  expect(main.state.find('load:async.so')).toBeUndefined();
  await p;
  expect(worker.state.find('load:async.so').slots).toEqual([slot]);
});

test('an op whose key turns out null (dlsym of a function already in the table) leaves no record', () => {
  const w = world();
  const main = w.thread('main');
  main.ops.record(() => null, 'dlsym(x)', () => 0);
  main.state.catchUp();
  expect(main.state.ops.size).toBe(0);
  let index = -1;
  main.ops.record(() => (index === -1 ? null : `dlsym:8:${index}`), 'dlsym(y)', () => { index = 3; main.ops.allocate(); });
  expect(w.thread('worker').state.find('dlsym:8:3').slots).toHaveLength(1);
});

test('freed slots are never reused by an op, and the lock is released after a failing op', () => {
  const w = world();
  const main = w.thread('main');
  expect(() => main.ops.run('load:bad.so', 'bad.so', () => { throw new Error('instantiate failed'); })).toThrow('instantiate failed');
  expect(main.ops.inOp()).toBe(false);
  const other = w.thread('other');
  expect(() => load(other, 'load:ok.so', { funcs: [f(1)] })).not.toThrow();
});

// Issue 17 (6): the op log filled up as an op finished; the lock stayed held and the next thread
// blamed "a module load on that thread never finished" and the process died.
test('an op that cannot be written to a full log releases the lock, sync and async, and names the log', async () => {
  const w = world(256);
  const main = w.thread('main');
  const worker = w.thread('worker', 10, { spinLimit: 1000 });
  const big = (n) => Array.from({ length: n }, (_, i) => f(i));
  expect(() => load(main, 'load:big.so', { funcs: big(100) })).toThrow(/shared op log .* is full: 256 bytes .* and load:big.so needs \d+ more/);
  expect(() => gap(worker)).not.toThrow();
  await expect(main.ops.run('load:async.so', 'async.so', async () => big(100).map(() => main.ops.allocate())))
    .rejects.toThrow(/shared op log .* is full/);
  expect(() => gap(worker)).not.toThrow();
});

test('a slot taken outside any op waits for an op recording on another thread', async () => {
  // Main records an async load (holding the lock across the await); a worker's addFunction in the
  // meantime must not take a slot that load is about to append.
  const w = world();
  const main = w.thread('main');
  const worker = w.thread('worker', 10, { spinLimit: 1000 });
  let release;
  const loading = main.ops.run('load:slow.so', 'slow.so', () => new Promise((r) => { release = r; }).then(() => {
    const slot = main.ops.allocate();
    main.table.set(slot, f(1));
    return slot;
  }));
  expect(() => gap(worker)).toThrow(/thread 2 waited too long for the table lock held by thread 1/);
  // Main itself may add entries meanwhile (the lock is re-entrant), but a slot it takes between the
  // load's awaits is counted as the load's: a known limitation (README), which replays elsewhere
  // report loudly as a slot-count mismatch.
  const own = gap(main);
  release();
  const loaded = await loading;
  expect(loaded).not.toBe(own);
  expect(main.state.find('load:slow.so').slots).toEqual([own, loaded]);
  const later = gap(worker);
  expect([own, loaded]).not.toContain(later);
});

test('a conflict on a recorded slot outside the op\'s range names that slot', () => {
  // A load that reused a freed slot below its start: the conflict is there, not at the start.
  const w = world();
  const main = w.thread('main');
  const worker = w.thread('worker');
  main.state.append({ key: 'load:r.so', label: 'r.so', start: 20, end: 21, slots: [3, 20], thread: 'main' });
  worker.table.set(3, wasmFunction(5));
  expect(() => load(worker, 'load:r.so', { funcs: [f(1), f(2)] })).toThrow(/slot 3 here already holds function 5/);
});

test('an op this thread already ran runs again without a second replay (a dlsym caught up twice)', () => {
  const w = world();
  const main = w.thread('main');
  const worker = w.thread('worker');
  const fn = f(5);
  const dlsym = (th) => th.ops.run('dlsym:64:3', 'dlsym(x)', () => {
    // addFunction: the function is found once it is in this thread's table.
    for (let i = 0; i < th.table.length; i++) if (th.table.get(i) === fn) return i;
    const slot = th.ops.allocate();
    th.table.set(slot, fn);
    return slot;
  });
  const slot = dlsym(main);
  expect(dlsym(worker)).toBe(slot);
  // Without the guard the second catch-up would find its recorded slot taken and throw.
  expect(dlsym(worker)).toBe(slot);
});

test('two threads that dlsym the same new symbol give it one slot (the second finds the first by name)', () => {
  // The C side learns the symbol's index (the op's key) only from the body, so without the
  // name both threads would record a placement of their own: two slots, two addresses.
  const w = world();
  const main = w.thread('main');
  const worker = w.thread('worker', 14); // a longer table: its own slot would differ
  const fn = f(6);
  const dlsym = (th) => {
    let index = -1;
    return th.ops.record(() => (index === -1 ? null : `dlsym:64:${index}`), 'dlsym(y)', () => {
      for (let i = 0; i < th.table.length; i++) if (th.table.get(i) === fn) return i;
      index = 2;
      const slot = th.ops.allocate();
      th.table.set(slot, fn);
      return slot;
    }, 'dlsym-name:64:y');
  };
  const slot = dlsym(main);
  expect(dlsym(worker)).toBe(slot);
  expect(worker.table.get(slot)).toBe(fn);
  worker.state.catchUp();
  expect(worker.state.tableOps).toHaveLength(1);
  // Caught up later (C replays main's dlsym there): already in place.
  expect(worker.ops.run('dlsym:64:2', 'dlsym catch-up', () => {
    for (let i = 0; i < worker.table.length; i++) if (worker.table.get(i) === fn) return i;
    return -1;
  })).toBe(slot);
  // And a third dlsym of it on the worker finds the entry without another op.
  expect(dlsym(worker)).toBe(slot);
});

test('the growth limit is the start of the first load this thread has not replayed, however many it has', () => {
  const w = world();
  const main = w.thread('main');
  const worker = w.thread('worker');
  for (let i = 0; i < 5; i++) load(main, `load:m${i}.so`, { funcs: [f(10 + i)] });
  load(worker, 'load:m0.so', { funcs: [f(10)] });
  load(worker, 'load:m1.so', { funcs: [f(11)] });
  expect(worker.ops.growLimit()).toBe(main.state.find('load:m2.so').start);
  // Replayed out of order (a later op first): the earlier one still bounds the table.
  load(worker, 'load:m3.so', { funcs: [f(13)] });
  expect(worker.ops.growLimit()).toBe(main.state.find('load:m2.so').start);
  load(worker, 'load:m2.so', { funcs: [f(12)] });
  expect(worker.ops.growLimit()).toBe(main.state.find('load:m4.so').start);
  load(worker, 'load:m4.so', { funcs: [f(14)] });
  expect(worker.ops.growLimit()).toBe(Infinity);
});
