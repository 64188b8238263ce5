'use strict';
// src/dlsync.js against a fake emscripten: the main thread's part of a pthread's dlopen completes
// before it returns (no event loop needed) when the main thread can load synchronously, and goes
// the asynchronous way otherwise; a dlsync waits for the threads that are awake and queues the
// request for the ones asleep (they answer as they wake), never for the loading thread itself.
const { wrapAsyncDlopen, wrapCallerDlsync, wrapCallerDlsyncWithCallback, wrapEventLoopMailbox, wrapMainDlsync } = require('../src/dlsync.js');

// threads: { pointer: 'awake' | 'asleep' }. pending: modules the main thread has yet to load.
function world({ threads = { 11: 'awake', 12: 'asleep', 13: 'awake' }, canLoadNow = true, caller = 11, isWorker = false, intercepted = true, version = null } = {}) {
  const log = [];
  const thread = { dlsyncNow: null, inEventLoopMailbox: 0, warnings: [], warn: (m) => thread.warnings.push(m) };
  const asyncLoads = [];
  const originalDlopen = (handle, onsuccess, onerror, userData) => {
    log.push(`async load ${handle}`);
    asyncLoads.push(() => thread.em.callPointer(onsuccess, handle, userData));
  };
  const em = {
    isWorker,
    version,
    proxiedCaller: () => caller,
    liveThreads: () => Object.keys(threads).map(Number),
    queueDlsync: (p) => { log.push(`queue ${p}`); return threads[p] === 'awake' ? 1 : 0; },
    proxyDlsync: (p) => { log.push(`wait for ${p}`); return 1; },
    dlopenSync: (h) => { log.push(`sync load ${h}`); return canLoadNow ? h : 0; },
    // The C catch-up (dlsync_next): one module (handle 100) to load, then it resolves.
    // intercepted: false stands for a build whose asynchronous load the plugin does not wrap.
    dlsyncSelfAsync: () => {
      let settled = false;
      const promise = new Promise((resolve) => {
        thread.em.callPointer.onDone = () => { settled = true; resolve(); };
        (intercepted ? dlopen : originalDlopen)(100, 'onsuccess', 'onerror', 7);
      });
      return { promise, settled: () => settled };
    },
    callPointer: (f, ...args) => {
      log.push(`${f}(${args.join(', ')})`);
      if (f === 'onsuccess') em.callPointer.onDone();
    },
  };
  thread.em = em;
  const dlopen = wrapAsyncDlopen(thread, originalDlopen);
  return { thread, em, log, asyncLoads, dlopen };
}

test('a pthread\'s dlsync completes at once: the main thread loads synchronously, then waits for the awake threads only', () => {
  const w = world();
  const result = wrapCallerDlsync(w.thread, () => { throw new Error('not the original'); })();
  let settled = false;
  result.then(() => { settled = true; });
  expect(settled).toBe(true); // synchronously: no microtask ran
  expect(w.log).toEqual(['sync load 100', 'onsuccess(100, 7)', 'queue 12', 'queue 13', 'wait for 13']);
  expect(w.thread.dlsyncNow).toBeNull();
});

test('3.1.69 … 4.0.9: the callback that ends the proxied call runs before the dlsync returns', () => {
  const w = world();
  wrapCallerDlsyncWithCallback(w.thread, () => { throw new Error('not the original'); })(11, 'done_sync_all', 5);
  expect(w.log.slice(-1)).toEqual(['done_sync_all(5)']);
  expect(w.log).toContain('wait for 13');
  expect(w.log).not.toContain('wait for 11');
});

test('a module the main thread cannot load synchronously goes the asynchronous way, with a warning; the others are asked after it', async () => {
  const w = world({ canLoadNow: false });
  const result = wrapCallerDlsync(w.thread, () => {})();
  expect(w.log).toEqual(['sync load 100', 'async load 100']);
  expect(w.thread.warnings[0]).toMatch(/could not load a module synchronously[^]*emscripten #19848/);
  w.asyncLoads[0]();
  await result;
  expect(w.log.slice(2)).toEqual(['onsuccess(100, 7)', 'queue 12', 'queue 13', 'wait for 13']);
});

// The MEMORY64 post-link bug (6.0.8 S16/S17): the asynchronous load went unwrapped, the
// catch-up went asynchronous unseen, and the pthread was told the main thread had loaded the module:
// main then called empty slots. Never a settled result over a load that has not happened.
test('a catch-up that does not finish before returning, for whatever reason, is waited for, with a warning', async () => {
  const w = world({ intercepted: false });
  const result = wrapCallerDlsync(w.thread, () => {})();
  let settled = false;
  result.then(() => { settled = true; });
  await Promise.resolve();
  expect(settled).toBe(false);
  expect(w.log).toEqual(['async load 100']);
  expect(w.thread.warnings[0]).toMatch(/did not complete at once[^]*emscripten #19848/);
  w.asyncLoads[0]();
  await result;
  expect(w.log.slice(1)).toEqual(['onsuccess(100, 7)', 'queue 12', 'queue 13', 'wait for 13']);
});

test('outside a synchronous catch-up, the asynchronous load is emscripten\'s own', () => {
  const w = world();
  w.dlopen(200, 'cb', 'err', 1);
  expect(w.log).toEqual(['async load 200']);
});

test('a main-thread dlopen waits for every awake thread and queues for the sleeping; a worker or a proxied request gets the original', () => {
  const w = world({ caller: 0 });
  const original = jest.fn();
  wrapMainDlsync(w.thread, original)();
  expect(w.log).toEqual(['queue 11', 'wait for 11', 'queue 12', 'queue 13', 'wait for 13']);
  expect(original).not.toHaveBeenCalled();
  wrapMainDlsync(world({ caller: 11 }).thread, original)();
  wrapMainDlsync(world({ caller: 0, isWorker: true }).thread, original)();
  expect(original).toHaveBeenCalledTimes(2);
});

// 6.0.8's main-thread dlopen took 2.5x stock's time with the plugin's wait (bench): from 5.0.7
// emscripten's own wait wakes sleepers, so there it is left to emscripten. Without a version (a
// build patched after linking) the plugin keeps its own.
test('from 5.0.7 a main-thread dlopen\'s wait is emscripten\'s own; before it, or with no version known, the plugin\'s', () => {
  for (const [version, own] of [['5.0.7', false], ['6.0.8', false], ['5.0.6', true], ['3.1.69', true], [null, true]]) {
    const w = world({ caller: 0, version });
    const original = jest.fn();
    wrapMainDlsync(w.thread, original)();
    expect([version, w.log.length > 0, original.mock.calls.length]).toEqual([version, own, own ? 0 : 1]);
  }
});

// emscripten's test_pthread_dlopen_many (PROXY_TO_PTHREAD; threads spin until all ten exist, and
// only the idle main thread can start them): a request from the event loop that waited
// synchronously for a spinning thread kept the main thread from starting the rest: a hang.
test('a pthread\'s request that arrives from the event loop goes emscripten\'s way; one from inside a blocking wait is done at once', () => {
  const w = world();
  const original = jest.fn(() => 'emscripten\'s promise');
  const fromLoop = wrapEventLoopMailbox(w.thread, () => wrapCallerDlsync(w.thread, original)());
  expect(fromLoop()).toBe('emscripten\'s promise');
  expect(w.log).toEqual([]);
  expect(w.thread.inEventLoopMailbox).toBe(0);
  const callback = jest.fn();
  wrapEventLoopMailbox(w.thread, () => wrapCallerDlsyncWithCallback(w.thread, callback)(11, 'cb', 1))();
  expect(callback).toHaveBeenCalledWith(11, 'cb', 1);
  // Not from the loop: the main thread's part is done before returning.
  wrapCallerDlsync(w.thread, original)();
  expect(original).toHaveBeenCalledTimes(1);
  expect(w.log).toContain('sync load 100');
  // The count survives a throw ('unwind' and the like).
  expect(() => wrapEventLoopMailbox(w.thread, () => { throw new Error('unwind'); })()).toThrow('unwind');
  expect(w.thread.inEventLoopMailbox).toBe(0);
});
