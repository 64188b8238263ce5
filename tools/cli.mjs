// pthread-dylink command line (bundled into dist/cli.js by `npm run build`).
//   pthread-dylink flags                 the emcc link flag of the library route
//   pthread-dylink flags --js-transform  the emcc link flag that patches the output inside the link
//   pthread-dylink patch FILE.js         add the runtime to a .js linked without the library
//   pthread-dylink check FILE.js         report: patched | linked | unpatched | unpatchable (writes nothing)
import fs from 'node:fs';
import path from 'node:path';
import { checkFile, jsTransformFlag, patchFile, Unpatchable } from './api.mjs';

const USAGE = 'usage: pthread-dylink flags [--js-transform] | patch FILE.js | check FILE.js\n';

function packageRoot() {
  // dist/cli.js sits one level below the package root; npm runs it through a symlink in
  // node_modules/.bin, so resolve that first.
  return path.resolve(path.dirname(fs.realpathSync(process.argv[1])), '..');
}

export function main(argv, out = process.stdout, errOut = process.stderr) {
  const [cmd, ...args] = argv;
  if (cmd === 'flags' && args.length === 0) {
    out.write(`--js-library=${path.join(packageRoot(), 'library_pthread_dylink.js')}\n`);
    return 0;
  }
  if (cmd === 'flags' && args.length === 1 && args[0] === '--js-transform') {
    // emcc runs `<value> <file.js>` on its output before optimizing it: the post-link route
    // without an extra build step. `node` is the node emcc itself finds on PATH.
    out.write(`${jsTransformFlag(path.join(packageRoot(), 'dist', 'cli.js'))}\n`);
    return 0;
  }
  const [file, ...rest] = args;
  if ((cmd === 'patch' || cmd === 'check') && file && rest.length === 0) {
    try {
      if (cmd === 'check') {
        out.write(`${file}: ${checkFile(file)}\n`);
        return 0;
      }
      out.write(`${file}: ${patchFile(file).summary}\n`);
      return 0;
    } catch (e) {
      if (!(e instanceof Unpatchable)) throw e;
      errOut.write(`pthread-dylink: ${file}: not patched: ${e.message}\n`);
      return 1;
    }
  }
  errOut.write(USAGE);
  return 2;
}

/* global __PTHREAD_DYLINK_CLI_ENTRY__ */
// Only dist/cli.js runs as a program; imported (tests, dist/transform.js), it only exports main.
if (typeof __PTHREAD_DYLINK_CLI_ENTRY__ !== 'undefined') process.exitCode = main(process.argv.slice(2));
