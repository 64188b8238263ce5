// CPython's call trampoline, reduced (Python/emscripten_trampoline.c, 3.14 and main): a tiny wasm
// module compiled in JS, importing the program's table, whose export `call(fp)` calls table[fp]
// (type () -> i32) with call_indirect. With `importJs` it also imports env.f, a JS closure, called
// by export `viaImport`. A table64 (MEMORY64) is imported as such and indexed with the i32 widened.
function pdTrampolineBytes(table64, importJs) {
  var name = function (s) { return [s.length].concat(Array.from(s, function (c) { return c.charCodeAt(0); })); };
  var section = function (id, bytes) { return [id, bytes.length].concat(bytes); };
  var imports = [name('env').concat(name('t'), [0x01, 0x70, table64 ? 0x04 : 0x00, 0x00])];
  if (importJs) imports.push(name('env').concat(name('f'), [0x00, 0x00]));
  var first = importJs ? 1 : 0;
  var bodies = [[0x00, 0x20, 0x00].concat(table64 ? [0xad] : [], [0x11, 0x00, 0x00, 0x0b])];
  if (importJs) bodies.push([0x00, 0x10, 0x00, 0x0b]);
  var exports = [name('call').concat([0x00, first])];
  if (importJs) exports.push(name('viaImport').concat([0x00, first + 1]));
  var flat = function (list) { return [].concat.apply([], list); };
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00].concat(
    section(0x01, [0x02, 0x60, 0x00, 0x01, 0x7f, 0x60, 0x01, 0x7f, 0x01, 0x7f]),
    section(0x02, [imports.length].concat(flat(imports))),
    section(0x03, [bodies.length, 0x01].concat(importJs ? [0x00] : [])),
    section(0x07, [exports.length].concat(flat(exports))),
    section(0x0a, [bodies.length].concat(flat(bodies.map(function (b) { return [b.length].concat(b); }))))));
}

// (Quoted names: under --closure 1 these must stay what the module imports and exports.)
function pdTrampoline(importJs) {
  var env = { 't': wasmTable };
  if (importJs) env['f'] = function () { return 7; };
  var imports = { 'env': env };
  var table64 = typeof wasmTable.length == 'bigint';
  return new WebAssembly.Instance(new WebAssembly.Module(pdTrampolineBytes(table64, importJs)), imports);
}

// CPython's main branch installs its trampoline this way: from a preRun hook (which pthread
// workers never run), over a placeholder slot that every thread has from start-up.
// The wasm export is called raw: before the runtime is initialized, ASSERTIONS builds wrap every
// export in a check that refuses the call.
Module['preRun'] = [].concat(Module['preRun'] || [], function () {
  var slot = (typeof wasmExports != 'undefined' ? wasmExports : Module['asm'])['s15_placeholder_slot']();
  wasmTable.set(typeof wasmTable.length == 'bigint' ? BigInt(slot) : slot, pdTrampoline(0).exports['call']);
});
