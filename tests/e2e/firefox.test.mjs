// The main scenario in Firefox (firefox-page.mjs says how it is driven).
import { launchFirefoxPage } from './firefox-page.mjs';
import { describeMainScenario } from './main-scenario.mjs';

describeMainScenario('Firefox', launchFirefoxPage);
