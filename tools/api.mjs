// The transform as a library (bundled into dist/transform.js by `npm run build`, with the runtime
// built in): what build scripts call instead of spawning the CLI.
//   const { patchFile, checkFile } = require('pthread-dylink').transform();
//   patchFile('build/app.js')   → { status: 'patched' | 'already', summary }; throws Unpatchable
//   checkFile('build/app.js')   → 'patched' | 'linked' | 'unpatched' (patchable); throws Unpatchable
import { patchFile as patchWith, patchText as patchTextWith, readInput, status, Unpatchable } from './transform/patch.mjs';

/* global __PTHREAD_DYLINK_RUNTIME__ */
export const RUNTIME = typeof __PTHREAD_DYLINK_RUNTIME__ === 'string' ? __PTHREAD_DYLINK_RUNTIME__ : null;

export { Unpatchable, status };

export function patchFile(file) {
  const { status: s, summary } = patchWith(file, runtime());
  return { status: s, summary };
}

export function patchText(text) {
  return patchTextWith(text, runtime());
}

export function checkFile(file) {
  const s = status(readInput(file));
  if (s === 'unpatched') patchWith(file, runtime(), { check: true }); // throws if it could not be patched
  return s;
}

function runtime() {
  if (!RUNTIME) throw new Error('pthread-dylink: the transform runs from the bundle (dist/); run `npm run build`');
  return RUNTIME;
}
