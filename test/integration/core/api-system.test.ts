/** The one-off API suite (api-suite.ts) against a system-mode sandbox (systemd as PID 1). Needs root. */
import { apiSuite } from './api-suite.ts';

apiSuite('system');
