// LWC unit tests (sfdx-lwc-jest). Browser tests live in test/browser and run in chromium instead.
const { jestConfig } = require('@salesforce/sfdx-lwc-jest/config');

module.exports = {
  ...jestConfig,
  modulePathIgnorePatterns: ['<rootDir>/.localdevserver', '<rootDir>/build', '<rootDir>/scripts'],
  testPathIgnorePatterns: ['<rootDir>/node_modules/', '<rootDir>/test/', '<rootDir>/scripts/'],
  setupFilesAfterEnv: ['<rootDir>/jest.setup.cjs']
};
