/** What the commands need of stderr: text, and whether a person is watching it. */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

export type Progress = <T>(label: string, work: Promise<T>) => Promise<T>;

const FRAMES = ['|', '/', '-', '\\'];

/**
 * Shows a spinner with a label on a terminal while `work` runs, and erases it after. Off a
 * terminal (CI, pipes, tests) it writes nothing, so logs stay clean.
 */
export function progressOn(stream: ProgressStream): Progress {
  return async (label, work) => {
    if (!stream.isTTY) return work;
    let frame = 0;
    const draw = () => stream.write(`\r${FRAMES[frame++ % FRAMES.length]} ${label}...`);
    draw();
    const timer = setInterval(draw, 120);
    try {
      return await work;
    } finally {
      clearInterval(timer);
      stream.write(`\r${' '.repeat(label.length + 5)}\r`);
    }
  };
}

/** For tests and non-interactive callers. */
export const noProgress: Progress = (_label, work) => work;
