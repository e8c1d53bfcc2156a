// Saves an access-token login for the fake org into the sf auth store of the current HOME, the
// way `sf org login access-token` does, so commands resolve --target-org through @salesforce/core.
import { AuthInfo } from '@salesforce/core';

const [instanceUrl, username] = process.argv.slice(2);
const auth = await AuthInfo.create({
  username,
  accessTokenOptions: { accessToken: 'fake-token', instanceUrl, loginUrl: instanceUrl }
});
await auth.save();
await auth.handleAliasAndDefaultSettings({
  alias: 'fake',
  setDefault: false,
  setDefaultDevHub: false
});
console.log(JSON.stringify({ username: auth.getUsername() }));
