// kubectl 1.33 (protobuf request bodies for typed commands) against the embedded API server.
import { kubectlSuite } from './kubectl-suite.ts';

kubectlSuite('1.33');
