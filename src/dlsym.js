// dlsym() of a function not yet in the table appends a slot, and C replays that dlsym in every
// other thread (the catch-up) by symbol index. Both go through one op, so the replay takes the
// same slot.

// Called from wasm: under MEMORY64 its pointers arrive as BigInts (emscripten's own function
// converts its copies; ours are for this wrapper's reads).
export function wrapSymbolLookup(thread, original) {
  return function lookUpSymbol(handle, symbol, symbolIndex) {
    const indexAt = Number(symbolIndex);
    thread.mem.setI32(indexAt, -1);
    const name = thread.em.utf8ToString(Number(symbol));
    // Keyed by the symbol index emscripten writes back (-1: the symbol needed no slot).
    const key = () => {
      const index = thread.mem.getI32(indexAt);
      return index === -1 ? null : `dlsym:${handle}:${index}`;
    };
    return thread.ops().run(key, `dlsym(${name})`, () => original(handle, symbol, symbolIndex), `dlsym-name:${handle}:${name}`);
  };
}

export function wrapSymbolCatchUp(thread, original) {
  return function catchUpSymbol(handle, symbolIndex) {
    return thread.ops().run(`dlsym:${handle}:${symbolIndex}`, `dlsym catch-up of symbol #${symbolIndex}`,
      () => original(handle, symbolIndex));
  };
}
