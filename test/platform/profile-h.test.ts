// Profile h-0b59fe7 (later head): the runner SA annotation carries the owner's userId only
// (displayName "" / groups []), identity mismatches are 403, UUID names.
import { SESSION_NAME_PATTERNS } from '../../harness/platform/contract.ts';
import { describeProfile } from './matrix.ts';

describeProfile('h-0b59fe7', {
  camelChild: 'owner-id-only',
  humanNamingOthersParent: 'alice',
  foreignCredentialStatus: 403,
  collisions: false,
  namePattern: SESSION_NAME_PATTERNS.uuid,
});
