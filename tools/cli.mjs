// pthread-dylink command line (bundled into dist/cli.js by `npm run build`).
//   pthread-dylink flags            the emcc link flags for the library route
//   pthread-dylink patch FILE.js    add the runtime to a .js linked without the library
//   pthread-dylink check FILE.js    report: patched | linked | unpatched | unpatchable (writes nothing)
import path from 'node:path';
import { patchFile, readInput, status, Unpatchable } from './transform/patch.mjs';

/* global __PTHREAD_DYLINK_RUNTIME__ */
const RUNTIME = typeof __PTHREAD_DYLINK_RUNTIME__ === 'string' ? __PTHREAD_DYLINK_RUNTIME__ : null;

function libraryPath() {
  // dist/cli.js sits one level below the package root.
  return path.resolve(path.dirname(process.argv[1]), '..', 'library_pthread_dylink.js');
}

export function main(argv, out = process.stdout, errOut = process.stderr) {
  const [cmd, file, ...rest] = argv;
  if (cmd === 'flags') {
    out.write(`--js-library=${libraryPath()}\n`);
    return 0;
  }
  if ((cmd === 'patch' || cmd === 'check') && file && rest.length === 0) {
    try {
      if (cmd === 'check') {
        const s = status(readInput(file));
        if (s === 'unpatched') patchFile(file, RUNTIME, { check: true }); // throws if it could not be patched
        out.write(`${file}: ${s}\n`);
        return 0;
      }
      const r = patchFile(file, RUNTIME);
      out.write(`${file}: ${r.summary}\n`);
      return 0;
    } catch (e) {
      if (!(e instanceof Unpatchable)) throw e;
      errOut.write(`pthread-dylink: ${file}: not patched: ${e.message}\n`);
      return 1;
    }
  }
  errOut.write('usage: pthread-dylink flags | patch FILE.js | check FILE.js\n');
  return 2;
}

if (RUNTIME) process.exitCode = main(process.argv.slice(2));
