#!/usr/bin/env node
// Stands in for the Salesforce CLI in deploy tests: records its arguments to FAKE_SF_LOG and
// prints what `sf project deploy start --json` prints on success, or on a component failure.
import { appendFileSync } from 'node:fs';

appendFileSync(
  process.env.FAKE_SF_LOG ?? '/dev/null',
  JSON.stringify(process.argv.slice(2)) + '\n'
);
if (process.env.FAKE_SF_MODE === 'fail') {
  console.log(
    JSON.stringify({
      status: 1,
      name: 'FailedDeployError',
      message: 'Deploy failed.',
      result: {
        id: '0Af000000000001',
        status: 'Failed',
        success: false,
        details: {
          componentFailures: {
            fullName: 'StlDispatcher',
            fileName: 'force-app/main/alerts/classes/StlDispatcher.cls',
            lineNumber: 12,
            problem: 'Variable does not exist: foo',
            problemType: 'Error'
          }
        }
      }
    })
  );
  process.exit(1);
}
console.log(
  JSON.stringify({
    status: 0,
    result: {
      id: '0Af000000000002',
      status: 'Succeeded',
      success: true,
      numberComponentsDeployed: 142
    }
  })
);
