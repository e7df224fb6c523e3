// Profile m-6b21778 (PR #988's merge commit): parentSessionId is ignored, runner children get the
// runner SA identity, credentials 404, bot tokens skip the ownership check, second-based names collide.
import { SESSION_NAME_PATTERNS } from '../../harness/platform/contract.ts';
import { describeProfile } from './matrix.ts';

describeProfile('m-6b21778', {
  camelChild: 'sa-identity',
  humanNamingOthersParent: 'alice',
  foreignCredentialStatus: 200,
  collisions: true,
  namePattern: SESSION_NAME_PATTERNS['unix-seconds'],
});
