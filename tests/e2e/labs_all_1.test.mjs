// Every guided lab in both languages at three widths, part 1 of 2: the labs at
// odd places in static/labs/index.toml (tests/e2e/labs_all.mjs says what is checked).
import { labsAll } from './labs_all.mjs';

labsAll(1, 2);
