// The security scenario as a vitest file (npm run scenarios); configured like the CLI.
import { security } from './security.ts';
import { scenarioSuite } from './support/vitest-suite.ts';

await scenarioSuite(security);
