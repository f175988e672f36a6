import { ApplicationFailure } from '@temporalio/common';
import pg from 'pg';

/** The failure type a run records for a value the store refuses. */
export const STORE_DATA_REFUSED = 'STORE_DATA_REFUSED';

/**
 * A value PostgreSQL refuses as data (SQLSTATE class 22), or that a check found it would refuse:
 * the same write fails the same way every time. It is a non-retryable ApplicationFailure, so any
 * activity that meets it (a profile update, a send recording provider or generated text, a
 * pipeline step) fails at once with this reason instead of retrying for an hour behind the
 * customer's next events. Its message names the field and the problem, never the value.
 */
export class StoreDataError extends ApplicationFailure {
  constructor(message: string) {
    super(message, STORE_DATA_REFUSED, true);
  }
}

/**
 * What each data exception a write can meet means, in words of our own: PostgreSQL's message,
 * detail and context quote the value (`invalid input syntax for type integer: "..."`, the JSON
 * document up to the bad character), which may be personal data.
 */
const DATA_EXCEPTIONS: Record<string, string> = {
  '22P05': 'a character it cannot store (a NUL, U+0000, in JSON)',
  '22021': 'a character it cannot store (a NUL, U+0000, or bytes that are not UTF-8, in text)',
  '22P02': 'a value that is not valid input for its type (in JSON: a lone surrogate, or a token that is not JSON)',
  '22003': 'a number out of range',
  '2202E': 'an array subscript out of range',
  '22001': 'a text longer than its column allows',
  '22007': 'a date or time in a format it cannot read',
  '22008': 'a date or time out of range',
  '22004': 'a null where none is allowed',
  '22023': 'an invalid parameter value',
};

/**
 * A query's error as the store passes it on: a data exception becomes a StoreDataError; any other
 * database error keeps its code and message but loses `detail`, `where` and `internalQuery`,
 * which quote rows and values (a duplicate key's, a failing row's) into every log that prints
 * the error. Anything else (a lost connection, a timeout) is returned as it is.
 */
export function storeFailure(err: unknown): unknown {
  if (!(err instanceof pg.DatabaseError)) return err;
  const code = err.code ?? '';
  if (code.startsWith('22')) {
    const what = DATA_EXCEPTIONS[code] ?? 'a value it refuses as data';
    return new StoreDataError(`PostgreSQL refused a value as data: ${what} (SQLSTATE ${code}); the same statement would fail again, so it is not retried`);
  }
  return Object.assign(err, { detail: undefined, where: undefined, internalQuery: undefined });
}
