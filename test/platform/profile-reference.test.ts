// Profile reference (what the platform should do): either key inherits the whole parent
// userContext, only the parent's own runner or owner may inherit, mismatches are 403.
import { SESSION_NAME_PATTERNS } from '../../harness/platform/contract.ts';
import { describeProfile } from './matrix.ts';

describeProfile('reference', {
  camelChild: 'full-copy',
  humanNamingOthersParent: 'bob',
  foreignCredentialStatus: 403,
  collisions: false,
  namePattern: SESSION_NAME_PATTERNS.uuid,
});
