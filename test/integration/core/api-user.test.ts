/** The one-off API suite (api-suite.ts) against a user-mode sandbox (`systemd --user`). Needs root. */
import { apiSuite } from './api-suite.ts';

apiSuite('user');
