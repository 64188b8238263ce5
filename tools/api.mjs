// The transform as a library (bundled into dist/transform.js by `npm run build`, with the runtime
// built in): what build scripts call instead of spawning the CLI.
//   const { patchFile, checkFile } = require('pthread-dylink').transform();
//   patchFile('build/app.js')   → { status: 'patched' | 'already', summary }; throws Unpatchable
//   checkFile('build/app.js')   → 'patched' | 'linked' | 'unpatched' (patchable); throws Unpatchable
import { patchedBy, patchFile as patchWith, patchText as patchTextWith, readInput, status, Unpatchable } from './transform/patch.mjs';

/* global __PTHREAD_DYLINK_RUNTIME__, __PTHREAD_DYLINK_VERSION__ */
export const RUNTIME = typeof __PTHREAD_DYLINK_RUNTIME__ === 'string' ? __PTHREAD_DYLINK_RUNTIME__ : null;
// Written into the block `patch` adds, so a later version can replace it.
export const VERSION = typeof __PTHREAD_DYLINK_VERSION__ === 'string' ? __PTHREAD_DYLINK_VERSION__ : 'dev';

export { Unpatchable, status };

export function patchFile(file) {
  const { status: s, summary } = patchWith(file, runtime(), { version: VERSION });
  return { status: s, summary };
}

export function patchText(text) {
  return patchTextWith(text, runtime(), VERSION);
}

// 'linked', 'unpatched' (and patchable), 'patched', or 'patched by pthread-dylink X (…)' when
// another version's block is there. Throws Unpatchable when `patch` would refuse.
export function checkFile(file) {
  const text = readInput(file);
  const s = status(text);
  if (s !== 'linked') patchWith(file, runtime(), { check: true, version: VERSION }); // throws if it could not be patched
  const by = patchedBy(text);
  if (s === 'patched' && by !== VERSION) return `patched by pthread-dylink ${by} (this is ${VERSION}: \`patch\` replaces it)`;
  return s;
}

// The emcc flag that runs `cli patch` inside the link (emcc splits its value with shlex, so the
// path is quoted as one shell word when it needs to be).
export function jsTransformFlag(cliPath) {
  const word = /^[\w@%+=:,./-]+$/.test(cliPath) ? cliPath : `'${cliPath.replace(/'/g, "'\\''")}'`;
  return `--js-transform=node ${word} patch`;
}

function runtime() {
  if (!RUNTIME) throw new Error('pthread-dylink: the transform runs from the bundle (dist/); run `npm run build`');
  return RUNTIME;
}
