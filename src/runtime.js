// The runtime that library_pthread_dylink.js installs into every thread (main and workers).
// It owns no emscripten code: install() receives emscripten's functions and returns wrappers,
// which the install call assigns back to emscripten's own variables.
import { WRAPPED } from './emscripten-api.js';
import { SHAPES, shapeFor } from './versions.js';
import { Thread } from './thread.js';

// em: this thread's emscripten runtime (src/emscripten-api.js RUNTIME, plus what the route
// writes: version (linked with the library) or shape (patched after linking), dso offsets, mem
// accessors, setTableEntry). original: the functions of WRAPPED this build has, by name.
export function install(em, original) {
  const shape = em.shape ? SHAPES[em.shape] : shapeFor(em.version);
  if (!shape.supported) {
    if (!em.isWorker) em.warn(`pthread-dylink: disabled: ${shape.reason}`);
    return original;
  }
  const thread = new Thread(em);
  return Object.fromEntries(Object.entries(original).map(([name, fn]) => [name, WRAPPED[name].wrap(thread, fn)]));
}
