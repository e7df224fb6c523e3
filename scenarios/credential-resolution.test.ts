// The credential-resolution scenario as a vitest file (npm run scenarios); configured like the CLI.
import { credentialResolution } from './credential-resolution.ts';
import { scenarioSuite } from './support/vitest-suite.ts';

await scenarioSuite(credentialResolution);
