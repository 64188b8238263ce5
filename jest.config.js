module.exports = {
  testMatch: ['<rootDir>/jest/**/*.test.js'],
  testEnvironment: 'node',
  // Conformance builds and runs real emscripten output; unit tests are fast.
  testTimeout: 60 * 60 * 1000,
  maxWorkers: 2,
};
