// Watch this realm's WebAssembly API for modules compiled and instances created from JS, and tell
// each JsInstances registry (one per program in the realm, usually one). Installed once per realm;
// the wrappers behave as the originals (instanceof, promises, errors) and only add bookkeeping.
const WATCHERS = Symbol.for('pthread-dylink: WebAssembly watchers');

export function watchWebAssembly(registry, skip = () => false) {
  const wa = globalThis.WebAssembly;
  if (!wa[WATCHERS]) install(wa);
  wa[WATCHERS].list.push({ registry, skip });
}

// The API as it was before any program wrapped it.
export function originalWebAssembly() {
  return globalThis.WebAssembly[WATCHERS]?.originals ?? globalThis.WebAssembly;
}

function install(wa) {
  const originals = { Module: wa.Module, Instance: wa.Instance, compile: wa.compile, instantiate: wa.instantiate };
  const watchers = { list: [], originals };
  const each = (f) => { for (const w of watchers.list) if (!w.skip()) f(w.registry); };
  const remember = (instance, module, imports) => each((r) => r.rememberInstance(instance, module, imports));
  const rememberModule = (module, source) => each((r) => r.rememberModule(module, source));

  function Module(source) {
    const module = new originals.Module(source);
    rememberModule(module, source);
    return module;
  }
  function Instance(module, imports) {
    const instance = new originals.Instance(module, imports);
    remember(instance, module, imports);
    return instance;
  }
  Module.prototype = originals.Module.prototype;
  Instance.prototype = originals.Instance.prototype;
  for (const k of ['exports', 'imports', 'customSections']) Module[k] = originals.Module[k];
  Object.defineProperty(wa, WATCHERS, { value: watchers });
  wa.Module = Module;
  wa.Instance = Instance;
  wa.compile = function compile(source, ...rest) {
    return originals.compile.call(wa, source, ...rest).then((module) => { rememberModule(module, source); return module; });
  };
  wa.instantiate = function instantiate(source, imports, ...rest) {
    return originals.instantiate.call(wa, source, imports, ...rest).then((result) => {
      if (result instanceof originals.Instance) {
        remember(result, source, imports);
      } else {
        rememberModule(result.module, source);
        remember(result.instance, result.module, imports);
      }
      return result;
    });
  };
}
