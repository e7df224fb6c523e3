// The platform's kind overlay at the inheritance PR's merge commit.
import { describePlatformOverlay } from './platform-overlay.ts';

describePlatformOverlay('6b21778');
