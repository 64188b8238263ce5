'use strict';
// Real wasm functions for tables in unit tests, without emcc: a hand-assembled module exporting
// `f` of type () -> i32 that returns `value`.
function wasmFunction(value) {
  const leb = [];
  let v = value;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && !(byte & 0x40)) || (v === -1 && (byte & 0x40));
    leb.push(done ? byte : byte | 0x80);
    if (done) break;
  }
  const body = [0x00, 0x41, ...leb, 0x0b];
  const bytes = new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f, // type: () -> i32
    0x03, 0x02, 0x01, 0x00, // one function of type 0
    0x07, 0x05, 0x01, 0x01, 0x66, 0x00, 0x00, // export "f"
    0x0a, body.length + 2, 0x01, body.length, ...body,
  ]);
  return new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports.f;
}

function table(length) {
  return new WebAssembly.Table({ element: 'anyfunc', initial: length });
}

module.exports = { wasmFunction, table };
