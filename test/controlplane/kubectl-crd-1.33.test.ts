// kubectl 1.33 with the platform's CRDs and custom resources against the embedded API server.
import { kubectlCrdSuite } from './kubectl-suite.ts';

kubectlCrdSuite('1.33');
