'use strict';
// pthread-dylink CLI. For now: `patch FILE.js` checks that a build already carries the runtime
// (linked with --js-library library_pthread_dylink.js).
const fs = require('fs');

function main(argv) {
  const [cmd, file] = argv;
  if (cmd === 'patch' || cmd === 'check') {
    const text = fs.readFileSync(file, 'utf8');
    if (text.includes('pthreadDylink.install(')) {
      process.stdout.write(`${file}: pthread-dylink runtime present (linked with --js-library); nothing to patch\n`);
      return 0;
    }
    process.stderr.write(`${file}: no pthread-dylink runtime: relink with --js-library library_pthread_dylink.js\n`);
    return 1;
  }
  process.stderr.write('usage: pthread-dylink patch|check FILE.js\n');
  return 2;
}

process.exitCode = main(process.argv.slice(2));
