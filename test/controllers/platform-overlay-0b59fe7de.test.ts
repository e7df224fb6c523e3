// The platform's kind overlay at the later head.
import { describePlatformOverlay } from './platform-overlay.ts';

describePlatformOverlay('0b59fe7de');
