// Every scenario build, every mode: when a thread aborts, print that thread's dlerror() too.
// Emscripten's dlsync aborts with no message when a thread catching up fails to load a module
// (dynlink.c sync_one_onerror calls abort(); the loader's error, often a table trap, went only to
// dlerror). Without this a stock row shows a bare "Aborted()", which proves nothing about tables.
(function () {
  var previous = Module['onAbort'];
  Module['onAbort'] = function (what) {
    var dlerror = typeof wasmExports == 'object' && wasmExports && wasmExports['dlerror'];
    var message = dlerror && typeof UTF8ToString == 'function' ? UTF8ToString(Number(dlerror())) : '';
    if (message) err('pthread-dylink test harness: dlerror() at abort: ' + message.replace(/\n/g, ' | '));
    if (previous) previous(what);
  };
})();
