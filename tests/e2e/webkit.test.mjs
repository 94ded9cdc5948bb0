// The main scenario in WebKit (webkit-page.mjs says how it is driven).
import { launchWebKitPage } from './webkit-page.mjs';
import { describeMainScenario } from './main-scenario.mjs';

describeMainScenario('WebKit', launchWebKitPage);
