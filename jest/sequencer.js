'use strict';
// The order Jest's two workers take the suites in: the longest first, so the Node conformance
// suite (the long pole: every scenario × toolchain × route) starts at once and the rest share the
// other worker. Jest's default order needs timings from an earlier run, and on a fresh clone it
// fell back to file size: conformance then waited 6.5 minutes behind the transform suite (CI
// budget, measured 2026-12-05).
const Sequencer = require('@jest/test-sequencer').default;

const LONGEST_FIRST = ['conformance', 'browser', 'transform', 'distribution', 'python', 'peer', 'stress', 'upstream'];
const rank = (test) => {
  const name = require('path').basename(test.path, '.test.js');
  const i = LONGEST_FIRST.indexOf(name);
  return i === -1 ? LONGEST_FIRST.length : i;
};

class LongestFirst extends Sequencer {
  sort(tests) {
    return [...tests].sort((a, b) => rank(a) - rank(b) || a.path.localeCompare(b.path));
  }
}

module.exports = LongestFirst;
