// The identity-inheritance scenario as a vitest file (npm run scenarios); configured like the CLI.
import { identityInheritance } from './identity-inheritance.ts';
import { scenarioSuite } from './support/vitest-suite.ts';

await scenarioSuite(identityInheritance);
