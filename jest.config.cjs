// LWC unit tests (sfdx-lwc-jest). Browser tests live in test/browser and run in chromium instead.
const { jestConfig } = require('@salesforce/sfdx-lwc-jest/config');

module.exports = {
  ...jestConfig,
  modulePathIgnorePatterns: ['<rootDir>/.localdevserver', '<rootDir>/build', '<rootDir>/scripts'],
  testPathIgnorePatterns: ['<rootDir>/node_modules/', '<rootDir>/test/', '<rootDir>/scripts/'],
  // Lightning modules whose default sfdx-lwc-jest stub cannot be asserted against.
  moduleNameMapper: {
    ...(jestConfig.moduleNameMapper || {}),
    '^lightning/navigation$': '<rootDir>/test/jest-mocks/lightning/navigation.js'
  },
  setupFilesAfterEnv: ['<rootDir>/jest.setup.cjs']
};
