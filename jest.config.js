module.exports = {
  testMatch: ['<rootDir>/jest/**/*.test.js'],
  testEnvironment: 'node',
  transform: { '^.+/(src/.+\\.js|tools/.+\\.mjs)$': '<rootDir>/jest/esbuild-transform.js' },
  // Conformance builds and runs real emscripten output; unit tests are fast.
  testTimeout: 60 * 60 * 1000,
  maxWorkers: 2,
  testSequencer: '<rootDir>/jest/sequencer.js',
};
