// The fallback scenario as a vitest file (npm run scenarios); configured like the CLI.
import { fallback } from './fallback.ts';
import { scenarioSuite } from './support/vitest-suite.ts';

await scenarioSuite(fallback);
