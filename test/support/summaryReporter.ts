import Mocha from "mocha";

/**
 * The spec reporter, closed by one plain line that any reader of the run's output can count:
 * `mocha: 943 passed, 0 failed, 2 skipped`. Mocha's own "943 passing" is not that shape.
 */
export default class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const { passes, failures, pending } = runner.stats ?? { passes: 0, failures: 0, pending: 0 };
      // After the spec reporter's own epilogue, which runs on the same event before this one.
      process.stdout.write(`mocha: ${passes} passed, ${failures} failed, ${pending} skipped\n`);
    });
  }
}
