/**
 * Runs a step's operator with its console output captured: each row enters the step inside the
 * capture, so the work it starts (and that work's awaits) logs to `sink`; rows leave it outside,
 * so the steps after it print as usual.
 * @module
 */
import { Observable, type OperatorFunction } from 'rxjs';
import { type ConsoleSink, consoleCapture } from './console-capture.ts';

export function quietOperator<In, Out>(operator: OperatorFunction<In, Out>, sink: ConsoleSink): OperatorFunction<In, Out> {
  return (input) =>
    new Observable<Out>((subscriber) => {
      const entering = new Observable<In>((inner) =>
        input.subscribe({
          next: (value) => consoleCapture.within(sink, () => inner.next(value)),
          error: (error: unknown) => consoleCapture.within(sink, () => inner.error(error)),
          complete: () => consoleCapture.within(sink, () => inner.complete()),
        }),
      );
      return consoleCapture.within(sink, () =>
        operator(entering).subscribe({
          next: (value) => consoleCapture.outside(() => subscriber.next(value)),
          error: (error: unknown) => consoleCapture.outside(() => subscriber.error(error)),
          complete: () => consoleCapture.outside(() => subscriber.complete()),
        }),
      );
    });
}
