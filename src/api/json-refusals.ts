import { variableOf } from '../config';
import { clip } from './echo';
import { ApiError, formatPath } from './errors';
import type { JsonRefusal } from './strict-json';

/** What the strict JSON reader refused, as the API's error with a path and what to do. */
export function refusalError(refusal: JsonRefusal, maxJsonDepth: number, maxEchoChars: number): ApiError {
  const path = clip(formatPath(refusal.path), maxEchoChars);
  const at = path || 'the body';
  const found = clip(refusal.found ?? '', maxEchoChars);
  switch (refusal.code) {
    case 'INVALID_JSON':
      // The parser's message quotes the body, which may hold personal data: say where to look instead.
      return new ApiError('INVALID_JSON', '', 'the body is not valid JSON; send one JSON object (check quotes, commas and brackets)');
    case 'JSON_TOO_DEEP':
      return new ApiError('JSON_TOO_DEEP', path, `${at} nests objects and arrays deeper than ${maxJsonDepth} levels (${variableOf('limits.maxJsonDepth')}); flatten the data`);
    case 'JSON_DUPLICATE_KEY':
      return new ApiError('JSON_DUPLICATE_KEY', path, `${path} appears twice in the same object; send each key once (a JSON reader would silently keep only the last)`);
    case 'JSON_FORBIDDEN_KEY':
      return new ApiError('JSON_FORBIDDEN_KEY', path, `${path}: the key "${found}" is not allowed anywhere (it would be dropped or alter objects); rename it`);
    case 'JSON_UNSAFE_NUMBER':
      return new ApiError('JSON_UNSAFE_NUMBER', path, `${at} is ${found}, which cannot be kept exactly (integers must lie within ±9007199254740991, numbers within ±1.7e308 and not round to 0); send it as a string`);
  }
}
