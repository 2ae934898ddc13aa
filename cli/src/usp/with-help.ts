// Bad usage is easier to fix with the command's help right under the complaint.
import { UsageError } from '../args.ts';

/** Runs `parse`, adding `help` to a UsageError it throws. */
export function withHelp<T>(parse: () => T, help: string): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof UsageError) throw new UsageError(`${error.message}\n${help}`);
    throw error;
  }
}
