// kubectl 1.33 against the embedded control plane: see kubectl-suite.ts.
import { kubectlAuthSuite } from './kubectl-suite.ts';

kubectlAuthSuite('1.33');
