// kubectl 1.31 (JSON request bodies) against the embedded API server.
import { kubectlSuite } from './kubectl-suite.ts';

kubectlSuite('1.31');
