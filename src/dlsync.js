// Emscripten's dlopen returns only once every other thread has loaded the module too (its
// "dlsync"). Two ways that wait never ends, measured on stock 3.1.69 … 6.0.8 (emscripten #19848):
//  - a pthread's dlopen asks the main thread to do its part, and the main thread does it as a
//    chain of promises: a main thread blocked in pthread_join or future::get runs the request
//    (main-thread waits run proxied calls) but never gets back to its event loop to finish it;
//  - a main-thread dlopen asks each thread synchronously, and before 5.0.7 a thread asleep in an
//    unbounded futex wait (a cold thread pool) is never woken to answer.
// Both end here: the main thread does its part at once, loading the modules synchronously when it
// can, and asks only the threads that are awake to answer before the load returns; a thread asleep
// in emscripten's futex wait gets the request queued and answers it as it wakes, before it runs
// any code of its own (3.1.69 … 5.0.3 do so: emscripten_futex_wait.c), so it never calls into a
// module it has not loaded.
//
// thread.dlsyncNow, while the main thread catches up synchronously: { async } (async: one load
// could not be done synchronously and went the asynchronous way; the rest of the chain follows it).

import { dlsyncWakesSleepers } from './versions.js';

// A thenable that has already settled: what the dlsync of a pthread's dlopen returns when it
// completed at once. Emscripten finishes the proxied call from its `.then` (5.0.3+:
// _emscripten_receive_on_main_thread_js), so the waiting pthread resumes now, with no event loop.
const SETTLED = { then(onDone) { onDone(undefined); return SETTLED; } };

// A pthread's request that reaches the main thread from its event loop (emscripten's
// `checkMailbox`, run for a worker's message) goes emscripten's own asynchronous way: the event
// loop is there to finish it, and the other threads may need that loop meanwhile (a thread that
// spins until more threads exist, which only the main thread can start: emscripten's
// test_pthread_dlopen_many hung 3 runs in 3 on 5.0.3 when every request was done synchronously).
// Only a main thread blocked in a wait (pthread_join, future::get) runs the request from inside
// that wait, with no event loop to come back to: that one is done at once.
export function wrapEventLoopMailbox(thread, original) {
  return function mailboxFromEventLoop() {
    thread.inEventLoopMailbox++;
    try {
      return original.apply(this, arguments);
    } finally {
      thread.inEventLoopMailbox--;
    }
  };
}

// 5.0.3+: `dlsyncThreadsAsync()`, the main thread's part of a pthread's dlopen (the caller is
// PThread.currentProxiedOperationCallerThread).
export function wrapCallerDlsync(thread, original) {
  return function dlsyncForCaller() {
    if (thread.inEventLoopMailbox) return original();
    const pending = syncForCaller(thread, thread.em.proxiedCaller());
    return pending ?? SETTLED;
  };
}

// 3.1.69 … 4.0.9: `_emscripten_dlsync_threads_async(caller, callback, ctx)`, the same part, which
// ends by calling callback(ctx) (that finishes the proxied call the caller waits in).
export function wrapCallerDlsyncWithCallback(thread, original) {
  return function dlsyncForCaller(caller, callback, ctx) {
    if (thread.inEventLoopMailbox) return original(caller, callback, ctx);
    const pending = syncForCaller(thread, Number(caller));
    const done = () => thread.em.callPointer(callback, ctx);
    if (pending) pending.then(done);
    else done();
  };
}

// `_emscripten_dlsync_threads()`: a main-thread dlopen waits for every thread (5.0.3+: also the
// entry of a pthread's request, which the original hands to dlsyncThreadsAsync). From 5.0.7 the
// original's wait wakes sleepers, and it asks each thread once where syncOtherThreads asks twice:
// a main-thread dlopen with two live pthreads took 2.5x stock's time on 6.0.8 (bench, measured).
export function wrapMainDlsync(thread, original) {
  const ownWaitEnds = dlsyncWakesSleepers(thread.em.version);
  return function dlsyncAllThreads() {
    if (ownWaitEnds || thread.em.isWorker || thread.em.proxiedCaller()) return original();
    syncOtherThreads(thread, 0);
  };
}

// `_emscripten_dlopen_js(handle, onsuccess, onerror, userData)`: the asynchronous load, which the
// main thread's catch-up uses. Inside a synchronous catch-up it loads synchronously (the module's
// bytes are in memory: the loading thread read them) and reports success at once.
export function wrapAsyncDlopen(thread, original) {
  return function dlopenForCatchUp(handle, onsuccess, onerror, userData) {
    const now = thread.dlsyncNow;
    if (!now || now.async) return original(handle, onsuccess, onerror, userData);
    if (!thread.em.dlopenSync(handle)) {
      now.async = true;
      thread.warn('pthread-dylink: the main thread could not load a module synchronously for a pthread\'s dlopen (see the error ' +
        'above); it loads it asynchronously, which needs its event loop: a main thread blocked in pthread_join or future::get ' +
        'on that pthread waits forever (emscripten #19848). Put the module in the file system before the dlopen.');
      return original(handle, onsuccess, onerror, userData);
    }
    thread.em.callPointer(onsuccess, handle, userData);
  };
}

// The main thread's part of a pthread's dlopen: returns null when done, or a promise when its own
// catch-up had to go asynchronous (then the others are asked once it is done). Done means the
// catch-up settled before returning, whatever the reason it did not: a pthread told "done" while
// the main thread has yet to load the module would hand it pointers the main thread cannot call.
function syncForCaller(thread, caller) {
  const now = { async: false };
  thread.dlsyncNow = now;
  let caughtUp;
  try {
    caughtUp = thread.em.dlsyncSelfAsync();
  } finally {
    thread.dlsyncNow = null;
  }
  if (now.async || !caughtUp.settled()) {
    if (!now.async) {
      thread.warn('pthread-dylink: the main thread\'s part of a pthread\'s dlopen did not complete at once (an asynchronous ' +
        'step the plugin does not intercept in this build); it completes from the event loop, so a main thread blocked ' +
        'in pthread_join or future::get on that pthread waits forever (emscripten #19848)');
    }
    return caughtUp.promise.then(() => syncOtherThreads(thread, caller));
  }
  syncOtherThreads(thread, caller);
  return null;
}

// Every live thread but `except` catches up before this returns, except those asleep in a futex
// wait: their request is queued and they answer it when they wake (the queued request returns 0
// for them, and for threads that are gone). From 5.0.7 a dlsync request wakes a sleeper, so there
// every live thread is awake to the queued request, and the synchronous one follows it at once.
function syncOtherThreads(thread, except) {
  const { em } = thread;
  for (const p of em.liveThreads()) {
    if (p === except) continue;
    if (em.queueDlsync(p)) em.proxyDlsync(p);
  }
}
