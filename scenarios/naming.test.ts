// The naming scenario as a vitest file (npm run scenarios); configured like the CLI.
import { namingUnderConcurrency } from './naming.ts';
import { scenarioSuite } from './support/vitest-suite.ts';

await scenarioSuite(namingUnderConcurrency);
