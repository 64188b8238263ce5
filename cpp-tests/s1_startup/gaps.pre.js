// An embedder's custom instantiation hook (custom loaders and streaming setups use
// Module.instantiateWasm) that reserves 5 table slots for host callbacks on the main thread,
// after the main module is instantiated and before emscripten loads the startup side modules.
// Workers never run it, so their tables have no such slots. (A preRun hook would come too late:
// startup side modules are loaded while the main module is being instantiated. And the table
// must be reached through the instance: since 6.x the main module exports it rather than
// importing it, so `wasmTable` is not set yet here.)
if (typeof ENVIRONMENT_IS_PTHREAD == 'undefined' || !ENVIRONMENT_IS_PTHREAD) {
  Module['instantiateWasm'] = function (imports, receiveInstance) {
    var file = typeof locateFile == 'function' ? locateFile('main.wasm') : 'main.wasm';
    var bytes = typeof process == 'object' && process.versions && process.versions.node
      ? Promise.resolve(require('fs').readFileSync(file))
      : fetch(file).then(function (r) { return r.arrayBuffer(); });
    bytes.then(function (b) { return WebAssembly.instantiate(b, imports); })
      .then(function (r) {
        var table = r.instance.exports['__indirect_function_table'] || imports['env']['__indirect_function_table'];
        table.grow(typeof table.length == 'bigint' ? BigInt(5) : 5); // a MEMORY64 build's table is a table64
        receiveInstance(r.instance, r.module);
      });
    return {};
  };
}
