// Initial load into a Flexible-like replica: a writer runs throughout, one POST, equal checksums after catch-up.
import { describeInitialLoad } from "./initialLoadScenario";

jest.setTimeout(300_000);

describeInitialLoad("flexible");
